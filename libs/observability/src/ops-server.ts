import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from 'winston';
import { withTimeout } from './with-timeout';

/** What /readyz and /healthz report; extra fields are shown as they are. */
export interface ProbeResult {
  ok: boolean;
  reason?: string;
  [detail: string]: unknown;
}

export type Probe = () => ProbeResult | Promise<ProbeResult>;

export interface OpsServerOptions {
  /** 127.0.0.1 unless you mean to expose it. */
  host?: string;
  /** The port the operator chose (OPS_PORT): taken → the start fails. 0 picks a free port (read it back from the result). */
  port?: number;
  /**
   * The app's own port when none was chosen: taken → a free one instead
   * (logged), so a second instance of an app on one host still starts.
   */
  defaultPort: number;
  logger: Logger;
  registry: Registry;
  /** Ready to take work: 503 with the reason when not. */
  readiness: Probe;
  /** Alive: 503 only when the process should be restarted. Default: always alive. */
  liveness?: Probe;
  /** A probe or scrape slower than this answers 503 instead of hanging. */
  timeoutMs?: number;
}

export interface OpsServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * GET /healthz, /readyz and /metrics on a small node:http server, so every
 * app (stage workers, scheduler, API) exposes the same three endpoints.
 * Nothing here can hang a probe: each is bounded by timeoutMs.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const log = options.logger.child({ module: 'ops-server' });
  const timeoutMs = options.timeoutMs ?? 5000;
  const liveness: Probe = options.liveness ?? (() => ({ ok: true }));

  const probe = async (res: ServerResponse, check: Probe, what: string) => {
    let result: ProbeResult;
    try {
      result = await withTimeout(check(), timeoutMs, what);
    } catch (err) {
      result = { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
    send(res, result.ok ? 200 : 503, 'application/json; charset=utf-8', JSON.stringify({ status: result.ok ? 'ok' : 'unavailable', ...result }));
  };

  const routes: Record<string, (res: ServerResponse) => Promise<void>> = {
    '/healthz': (res) => probe(res, liveness, 'liveness check'),
    '/readyz': (res) => probe(res, options.readiness, 'readiness check'),
    '/metrics': async (res) => {
      try {
        const body = await withTimeout(options.registry.metrics(), timeoutMs, 'metrics collection');
        send(res, 200, options.registry.contentType, body);
      } catch (err) {
        log.warn('metrics scrape failed', { error: err instanceof Error ? err.message : String(err) });
        send(res, 503, 'text/plain; charset=utf-8', `metrics unavailable: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    },
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const route = routes[path];
    if (!route) return send(res, 404, 'text/plain; charset=utf-8', 'not found: try /healthz, /readyz or /metrics\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    }
    route(res).catch((err: unknown) => {
      log.error('ops request failed', { path, error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
    });
  });
  // probes are short-lived; do not let an idle keep-alive socket hold close() up
  server.keepAliveTimeout = 1000;

  const host = options.host ?? '127.0.0.1';
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    await listen(options.port ?? options.defaultPort);
  } catch (err) {
    if (options.port !== undefined || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    log.warn('default ops port taken (another instance on this host?), listening on a free port', { taken: options.defaultPort });
    await listen(0);
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info('ops server listening', { url, port });

  return {
    port,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
