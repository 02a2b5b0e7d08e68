import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCallCounters, type CallCounters } from './call-counters';
import { logNormalLatency, seededRandom } from './latency';
import { evaluateRisk } from './risk-evaluation';
import { DEFAULT_THIRD_PARTY, type ScriptedFailure, type ThirdPartyOptions } from './third-party.options';

export interface ThirdPartyService {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  counters(): CallCounters;
  resetCounters(): void;
  /** Changes behaviour from now on (e.g. turn the throttle on mid-test). */
  configure(options: Partial<ThirdPartyOptions>): void;
  /** The next calls fail as told, before any other rule. */
  script(failure: ScriptedFailure): void;
  close(): Promise<void>;
}

const MAX_BATCH_KEYS = 100;

/**
 * A slow third party on 127.0.0.1 and a free port: a "risk evaluation" per key
 * (GET /risk/:key), per batch (POST /risk/batch {keys}), or as a long job
 * (POST /jobs {key} → 202 {jobId}; GET /jobs/:jobId → 202 until ready, then 200).
 * It answers with its latency distribution, throttles with 429 + Retry-After,
 * fails some calls with 503, refuses some keys with 422, lets some hang, and
 * counts what it saw (GET /_counters; POST /_counters/reset).
 */
export async function startThirdPartyService(options: Partial<ThirdPartyOptions> = {}, port = 0): Promise<ThirdPartyService> {
  let config: ThirdPartyOptions = { ...DEFAULT_THIRD_PARTY, ...options };
  let random = seededRandom(config.seed);
  let latency = logNormalLatency(random, config.latency.medianMs, config.latency.p95Ms);
  const counters = createCallCounters();
  const scripted: ScriptedFailure[] = [];
  const jobs = new Map<string, { key: string; readyAt: number }>();
  let tokens = config.throttle?.burst ?? 0;
  let refilledAt = performance.now();
  let jobSeq = 0;

  function throttled(): boolean {
    const throttle = config.throttle;
    if (!throttle) return false;
    const now = performance.now();
    tokens = Math.min(throttle.burst, tokens + ((now - refilledAt) / 1000) * throttle.requestsPerSecond);
    refilledAt = now;
    if (tokens < 1) return true;
    tokens--;
    return false;
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => reply(res, 500, { reason: err.message }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/_counters') {
      if (req.method === 'POST') counters.reset();
      return reply(res, 200, counters.snapshot());
    }
    const route = await routeOf(req, url);
    if ('error' in route) return reply(res, 400, { reason: route.error });
    const done = counters.arrived(route.keys);
    res.on('close', () => done(res.headersSent ? res.statusCode : 0));

    const failure = scripted[0];
    if (failure) {
      if (--failure.count <= 0) scripted.shift();
      if ('hang' in failure) return; // answered never: the client's timeout ends it
      return reply(res, failure.status, { reason: `scripted ${failure.status}` }, failure.retryAfterSeconds);
    }
    if (throttled()) return reply(res, 429, { reason: 'too many requests' }, config.throttle!.retryAfterSeconds);
    await wait(latency());
    if (random() < config.serverErrorRate) return reply(res, 503, { reason: 'evaluation backend unavailable' }, undefined);
    if (route.keys.some((key) => config.hangingKeys.includes(key))) return; // answered never: the client's timeout ends it
    return route.answer(res);
  }

  async function routeOf(req: IncomingMessage, url: URL): Promise<{ keys: string[]; answer(res: ServerResponse): void } | { error: string }> {
    const single = /^\/risk\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && single) {
      const key = decodeURIComponent(single[1]);
      return { keys: [key], answer: (res) => (refused(key) ? reply(res, 422, { reason: refused(key) }) : reply(res, 200, evaluateRisk(key))) };
    }
    if (req.method === 'POST' && url.pathname === '/risk/batch') {
      const body = (await readJson(req)) as { keys?: unknown };
      if (!Array.isArray(body?.keys) || body.keys.length === 0 || body.keys.length > MAX_BATCH_KEYS || !body.keys.every((k) => typeof k === 'string')) {
        return { error: `body must be {"keys": [1..${MAX_BATCH_KEYS} strings]}` };
      }
      const keys = body.keys as string[];
      return { keys, answer: (res) => reply(res, 200, { results: Object.fromEntries(keys.map((k) => [k, refused(k) ? { refused: refused(k) } : evaluateRisk(k)])) }) };
    }
    if (req.method === 'POST' && url.pathname === '/jobs') {
      const body = (await readJson(req)) as { key?: unknown };
      if (typeof body?.key !== 'string') return { error: 'body must be {"key": string}' };
      const key = body.key;
      return {
        keys: [key],
        answer: (res) => {
          const jobId = `job-${++jobSeq}`;
          jobs.set(jobId, { key, readyAt: performance.now() + config.jobDurationMs });
          counters.jobCreated(key);
          reply(res, 202, { jobId, pollAfterMs: Math.min(1000, config.jobDurationMs) });
        },
      };
    }
    const poll = /^\/jobs\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && poll) {
      const job = jobs.get(poll[1]);
      return {
        keys: job ? [job.key] : [],
        answer: (res) => {
          if (!job) return reply(res, 404, { reason: `no job ${poll[1]}` });
          if (performance.now() < job.readyAt) return reply(res, 202, { status: 'pending', pollAfterMs: Math.min(1000, Math.ceil(job.readyAt - performance.now())) });
          return refused(job.key) ? reply(res, 422, { reason: refused(job.key) }) : reply(res, 200, evaluateRisk(job.key));
        },
      };
    }
    return { error: `no route ${req.method} ${url.pathname}` };
  }

  const refused = (key: string) => (config.refusedKeys.includes(key) ? `no evaluation possible for "${key}"` : undefined);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    counters: counters.snapshot,
    resetCounters: counters.reset,
    configure(next) {
      config = { ...config, ...next };
      if (next.seed !== undefined) random = seededRandom(next.seed);
      latency = logNormalLatency(random, config.latency.medianMs, config.latency.p95Ms);
      if (next.throttle) {
        tokens = next.throttle.burst;
        refilledAt = performance.now();
      }
    },
    script: (failure) => void scripted.push({ ...failure }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // hanging calls and keep-alive sockets would hold close() open
        server.closeAllConnections();
      }),
  };
}

function reply(res: ServerResponse, status: number, body: unknown, retryAfterSeconds?: number): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  res.writeHead(status, headers).end(JSON.stringify(body));
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readJson(req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch {
    return undefined;
  }
}
