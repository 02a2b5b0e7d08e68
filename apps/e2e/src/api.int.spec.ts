import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { appEnvFor, parseLogLine, startApp, waitFor } from '@brokered-etl/testing';
import { startApiServer } from './support/api-server';
import { writePatchedFlights } from './support/flights-fixtures';
import { createPipelineEnv } from './support/pipeline-env';

interface SseEvent {
  type: string;
  data: Record<string, unknown> & { status: string; counts: Record<string, number> | null };
  at: number;
}

/** The HTTP API on real Kafka, registry and MongoDB, with the three stage workers running in this process. */
describe('http api end to end (real services)', () => {
  const pipeline = createPipelineEnv('it-api');
  const { env, namespace, database, logger } = pipeline;
  const token = `it-${randomBytes(12).toString('hex')}`;
  const readToken = `it-read-${randomBytes(12).toString('hex')}`;
  let app: FastifyInstance;
  let base: string;
  let runId: string;

  // flights-2k.json with two records no airport list knows
  const corruptSource = writePatchedFlights('flights-2k-corrupt.json', { 3: { origin: 'ZZZ' }, 500: { destination: 'QQQ' } });

  beforeAll(async () => {
    const { connected } = await pipeline.start();
    // records exposed here, so the dead-letter test sees them; the app process below runs the default (hidden)
    ({ app, base } = await startApiServer({ control: connected.control, logger, token, readToken, exposeRecords: true }));
  });
  afterAll(async () => {
    await app?.close();
    await pipeline.close();
  });

  async function call(method: 'GET' | 'POST', path: string, body?: unknown, options: { auth?: string | null; raw?: string } = {}) {
    const headers: Record<string, string> = {};
    if (body !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
    const auth = options.auth === undefined ? `Bearer ${token}` : options.auth;
    if (auth) headers['authorization'] = auth;
    const started = performance.now();
    const res = await fetch(`${base}${path}`, { method, headers, body: options.raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
    const json = (await res.json()) as Record<string, any>;
    return { status: res.status, body: json, ms: performance.now() - started };
  }

  /** Reads a run's event stream until the server ends it (after `end`). */
  async function readEvents(id: string, timeoutMs = 120_000): Promise<SseEvent[]> {
    const res = await fetch(`${base}/runs/${encodeURIComponent(id)}/events`, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'text/event-stream', authorization: `Bearer ${readToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events: SseEvent[] = [];
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (type && data) events.push({ type, data: JSON.parse(data), at: Date.now() });
      }
    }
    return events;
  }

  it('POST /runs → 202 and a run id; its event stream shows progress and ends completed; GET /runs and /runs/:id show it', async () => {
    const started = await call('POST', '/runs', { pipeline: 'flights', params: { source: 'flights-2k.json' } });
    expect(started.status).toBe(202);
    runId = started.body['runId'];
    expect(started.body).toMatchObject({ pipeline: 'flights', params: { source: 'flights-2k.json' }, links: { events: `/runs/${runId}/events` } });

    const events = await readEvents(runId);
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.slice(0, -1).every((e) => e.type === 'progress')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'end', data: { runId, status: 'completed', counts: { extracted: 2000, transformed: 2000, rejected: 0, loaded: 2000 } } });
    expect(events.some((e) => e.type === 'progress' && (e.data.status === 'requested' || e.data.status === 'running'))).toBe(true);

    const list = await call('GET', '/runs?limit=5');
    expect(list.status).toBe(200);
    expect(list.body['runs'].find((r: { runId: string }) => r.runId === runId)).toMatchObject({ status: 'completed', requestedBy: 'api' });
    const one = await call('GET', `/runs/${runId}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ runId, status: 'completed', totalRecords: 2000, counts: { loaded: 2000 }, rejections: [], rejectionsTotal: 0 });
    expect(Date.parse(one.body['finishedAt'])).toBeGreaterThanOrEqual(Date.parse(one.body['startedAt']));

    // a small latency figure for the docs: GET /runs against the real database, 20 times
    const timings: number[] = [];
    for (let i = 0; i < 20; i++) timings.push((await call('GET', '/runs?limit=20')).ms);
    timings.sort((a, b) => a - b);
    process.stderr.write(`api.int: GET /runs p50 ${timings[10]!.toFixed(1)} ms, max ${timings[19]!.toFixed(1)} ms; SSE events ${events.map((e) => `${e.type}:${e.data.status}`).join(' ')}\n`);
  });

  it('POST /runs/:id/rerun from transform → 202; the run completes again with the same counts', async () => {
    const rerun = await call('POST', `/runs/${runId}/rerun`, { from: 'transform' });
    expect(rerun.status).toBe(202);
    expect(rerun.body).toEqual({ runId, from: 'transform', generation: 1, chunks: 1, records: 2000 });
    const events = await readEvents(runId);
    expect(events.at(-1)).toMatchObject({ type: 'end', data: { status: 'completed', generation: 1, counts: { extracted: 2000, transformed: 2000, rejected: 0, loaded: 2000 } } });
  });

  it('a corrupt record becomes a dead letter: GET /dlq lists it, GET /dlq/:id shows it, POST /dlq/redrive answers 202', async () => {
    const started = await call('POST', '/runs', { pipeline: 'flights', params: { source: corruptSource } });
    const id = started.body['runId'];
    expect((await readEvents(id)).at(-1)).toMatchObject({ data: { status: 'completed', counts: { extracted: 2000, loaded: 1998, rejected: 2 } } });

    const letters = await call('GET', `/dlq?runId=${id}`);
    expect(letters.status).toBe(200);
    expect(letters.body['deadLetters'].map((d: { recordIndex: number }) => d.recordIndex).sort((a: number, b: number) => a - b)).toEqual([3, 500]);
    const first = letters.body['deadLetters'][0];
    expect(first).toMatchObject({ runId: id, stage: 'transformer', errorCode: 'VALIDATION_FAILED' });
    const one = await call('GET', `/dlq/${encodeURIComponent(first.id)}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: first.id, topic: expect.stringContaining('flights'), headers: expect.any(Array), value: expect.any(String), record: expect.stringMatching(/ZZZ|QQQ/) });
    expect((await call('GET', `/runs/${id}`)).body).toMatchObject({ rejectionsTotal: 2 });

    const redrive = await call('POST', '/dlq/redrive', { runId: id });
    expect(redrive.status).toBe(202);
    expect(redrive.body['redriven']).toHaveLength(2);
    // the records are still bad: each fails again and its letter opens again, under the same id
    await waitFor('both letters to open again', async () => (await call('GET', `/dlq?runId=${id}`)).body['deadLetters'].length === 2, 60_000);
    expect((await call('GET', `/dlq?runId=${id}&all=true`)).body['deadLetters'].every((d: { redrives: number }) => d.redrives === 1)).toBe(true);
    expect((await call('POST', '/dlq/redrive', { ids: ['no-such-letter'] })).status).toBe(404);
  });

  it('POST /replay: a dry run answers the plan; applying it while the transformer runs → 409 naming the members', async () => {
    const plan = await call('POST', '/replay', { stage: 'transformer', toEarliest: true, dryRun: true });
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({ applied: false, groupId: expect.stringContaining('transformer'), plan: expect.any(Array) });
    expect(plan.body['reprocess']).toBeGreaterThanOrEqual(3);
    expect(plan.body['activeMembers']).toHaveLength(1);

    const refused = await call('POST', '/replay', { stage: 'transformer', toEarliest: true });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'GROUP_ACTIVE', details: { members: [{ clientId: plan.body['activeMembers'][0].clientId }] } });
    expect(refused.body['message']).toContain(plan.body['activeMembers'][0].clientId);
  });

  it('bad bodies → 400 naming the field; malformed JSON → 400; unknown run → 404', async () => {
    const bad: Array<[string, unknown, string]> = [
      ['/runs', {}, 'body.pipeline'],
      ['/runs', { pipeline: 7 }, 'body.pipeline'],
      ['/runs', { pipeline: 'flights', params: { source: 2000 } }, 'body.params.source'],
      ['/runs', { pipeline: 'flights', params: ['source'] }, 'body.params'],
      [`/runs/${runId}/rerun`, { from: 'extract' }, 'body.from'],
      ['/dlq/redrive', {}, 'body.runId'],
      ['/replay', { stage: 'transformer' }, 'body'],
      ['/replay', { stage: 'mixer', toEarliest: true }, 'body.stage'],
      ['/replay', { stage: 'loader', toDatetime: 'not a date' }, 'body.toDatetime'],
    ];
    for (const [path, body, field] of bad) {
      const res = await call('POST', path, body);
      expect([path, body, res.status, res.body['field']]).toEqual([path, body, 400, field]);
    }
    const unknown = await call('POST', '/runs', { pipeline: 'flightz' });
    expect(unknown).toMatchObject({ status: 400, body: { code: 'UNKNOWN_PIPELINE', message: expect.stringContaining('known: flights, airports') } });
    const malformed = await call('POST', '/runs', undefined, { raw: '{"pipeline": "flights",' });
    expect(malformed).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST', message: expect.stringContaining('not valid JSON') } });

    expect((await call('GET', '/runs/no-such-run')).status).toBe(404);
    expect((await call('POST', '/runs/no-such-run/rerun', { from: 'load' })).status).toBe(404);
    const events = await fetch(`${base}/runs/no-such-run/events`, { headers: { authorization: `Bearer ${token}` } });
    expect(events.status).toBe(404);
    expect(await events.json()).toMatchObject({ code: 'NOT_FOUND' });
    expect((await call('GET', '/nowhere')).body).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('every endpoint but /healthz answers 401 without a token or with a wrong one; a read token reads but cannot change (403); nothing changes', async () => {
    for (const path of ['/runs', `/runs/${runId}`, `/runs/${runId}/events`, '/dlq', '/pipelines', '/openapi.json']) {
      for (const auth of [null, `Bearer ${readToken}-wrong`]) {
        const res = await call('GET', path, undefined, { auth });
        expect([path, auth, res.status, res.body['code']]).toEqual([path, auth, 401, 'UNAUTHORIZED']);
      }
      expect([path, (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${readToken}` }, signal: AbortSignal.timeout(5_000) }).then(async (r) => (await r.body?.cancel(), r.status)))]).toEqual([path, 200]);
    }
    expect((await call('GET', '/healthz', undefined, { auth: null })).body).toEqual({ status: 'ok' });
    const before = (await call('GET', '/runs?limit=200')).body['runs'].length;
    const mutating: Array<[string, unknown]> = [
      ['/runs', { pipeline: 'flights', params: { source: 'flights-2k.json' } }],
      [`/runs/${runId}/rerun`, { from: 'load' }],
      ['/dlq/redrive', { runId }],
      ['/replay', { stage: 'loader', toLatest: true }],
    ];
    for (const [path, body] of mutating) {
      for (const auth of [null, `Bearer ${token}-wrong`, `Basic ${token}`]) {
        const res = await call('POST', path, body, { auth });
        expect([path, auth, res.status, res.body['code']]).toEqual([path, auth, 401, 'UNAUTHORIZED']);
      }
      const readOnly = await call('POST', path, body, { auth: `Bearer ${readToken}` });
      expect([path, readOnly.status, readOnly.body['code']]).toEqual([path, 403, 'FORBIDDEN']);
    }
    expect((await call('GET', '/runs?limit=200')).body['runs']).toHaveLength(before);
    expect((await call('GET', `/runs/${runId}`)).body['generation']).toBe(1);
  });

  it('the api app refuses to start without a token, and with API_AUTH=none on a non-loopback host: one line saying what to set, exit 1', async () => {
    const refusals: Array<[Record<string, string>, RegExp]> = [
      [{}, /^api: cannot start: invalid configuration: API_TOKENS: the API needs a token: set API_TOKENS=read:<token>,write:<token>/],
      [{ API_AUTH: 'none', API_HOST: '0.0.0.0' }, /^api: cannot start: invalid configuration: API_AUTH: none is refused with API_HOST=0\.0\.0\.0/],
    ];
    for (const [auth, reason] of refusals) {
      const api = startApp('api', { ...appEnvFor(env, namespace, database), API_PORT: '0', OPS_PORT: '0', API_TOKEN: '', API_TOKENS: '', ...auth });
      await new Promise((resolve) => api.child.once('close', resolve));
      expect([auth, api.child.exitCode]).toEqual([auth, 1]);
      const said = api.lines.filter((l) => l.startsWith('api: cannot start'));
      expect([auth, said]).toEqual([auth, [expect.stringMatching(reason)]]);
    }
  });

  it('the api app (apps/api/src/main.ts) starts from its env on loopback, refuses a token-less request, serves the API, the page and its ops endpoints, and stops on SIGTERM', async () => {
    const api = startApp('api', {
      ...appEnvFor(env, namespace, database),
      API_PORT: '0',
      OPS_PORT: '0',
      API_TOKENS: `read:${readToken}`,
      API_TOKEN: token,
      LOG_LEVEL: 'info',
    });
    try {
      const line = await api.waitForLine((l) => parseLogLine(l)?.['message'] === 'api listening', 60_000);
      const url = String(parseLogLine(line)?.['url']);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(parseLogLine(line)).toMatchObject({ auth: 'bearer token on every route but /healthz (1 read, 1 write)', exposeRecords: false });
      // by default a token-less request is refused, a GET as much as a POST
      const refused = await fetch(`${url}runs`);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ code: 'UNAUTHORIZED', requestId: expect.any(String) });
      const read = { authorization: `Bearer ${readToken}` };
      const runs = (await (await fetch(`${url}runs`, { headers: read })).json()) as { runs: Array<{ runId: string }> };
      expect(runs.runs.map((r) => r.runId)).toContain(runId);
      expect((await fetch(`${url}healthz`)).status).toBe(200);
      expect((await fetch(url)).headers.get('content-type')).toMatch(/text\/html/);
      expect((await fetch(`${url}runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"pipeline":"flights"}' })).status).toBe(401);
      // records hidden by default: the dead letters of the corrupt run are listed without their content
      const letters = (await (await fetch(`${url}dlq?all=true&limit=5`, { headers: read })).json()) as { deadLetters: Array<Record<string, unknown>> };
      expect(letters.deadLetters.length).toBeGreaterThan(0);
      expect(letters.deadLetters.every((d) => !('record' in d))).toBe(true);

      // its own ops port: ready (listening, staging answers), and the requests above counted by route pattern
      const ops = String(parseLogLine(api.lines.find((l) => parseLogLine(l)?.['message'] === 'ops server listening') ?? '')?.['url']);
      expect(ops).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${ops}/healthz`)).status).toBe(200);
      expect((await fetch(`${ops}/readyz`)).status).toBe(200);
      const scrape = await (await fetch(`${ops}/metrics`)).text();
      expect(scrape).toContain('etl_api_requests_total{method="GET",route="/runs",status="200"} 1');
      expect(scrape).toContain('etl_api_requests_total{method="GET",route="/runs",status="401"} 1');
      expect(scrape).toContain('etl_api_requests_total{method="POST",route="/runs",status="401"} 1');
      // the refused and the answered GET /runs
      expect(scrape).toMatch(/etl_api_request_duration_seconds_count\{method="GET",route="\/runs"\} 2/);
    } finally {
      const stopped = await api.stop('SIGTERM');
      expect(stopped.code).toBe(0);
    }
  });
});
