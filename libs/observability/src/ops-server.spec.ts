import { Registry } from 'prom-client';
import { createSilentLogger } from './logger';
import { startOpsServer, type OpsServer, type ProbeResult } from './ops-server';
import { createStageMetrics } from './stage.metrics';

describe('ops server', () => {
  let server: OpsServer;
  let ready: ProbeResult | Promise<ProbeResult>;
  let alive: ProbeResult;
  const registry = new Registry();
  const metrics = createStageMetrics({ registry, stage: 'transformer' });

  beforeAll(async () => {
    server = await startOpsServer({ port: 0, defaultPort: 9464, logger: createSilentLogger(), registry, readiness: () => ready, liveness: () => alive, timeoutMs: 300 });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    ready = { ok: true };
    alive = { ok: true };
  });

  const get = async (path: string, method = 'GET') => {
    const res = await fetch(`${server.url}${path}`, { method });
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
  };

  it('listens on a free loopback port when asked for port 0', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('a taken port fails the start when chosen; a taken default port is replaced by a free one', async () => {
    const options = { defaultPort: server.port, logger: createSilentLogger(), registry, readiness: () => ready };
    await expect(startOpsServer({ ...options, port: server.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    const second = await startOpsServer(options);
    try {
      expect(second.port).not.toBe(server.port);
      expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('/readyz is 200 when ready and 503 with the reason when not', async () => {
    expect(await get('/readyz')).toMatchObject({ status: 200, body: JSON.stringify({ status: 'ok', ok: true }) });
    ready = { ok: false, reason: 'no heartbeat for 12.0 s', inGroup: true };
    const res = await get('/readyz');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toEqual({ status: 'unavailable', ok: false, reason: 'no heartbeat for 12.0 s', inGroup: true });
  });

  it('a readiness check that hangs answers 503 within the bound instead of hanging', async () => {
    ready = new Promise(() => undefined);
    const started = Date.now();
    const res = await get('/readyz');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body).reason).toMatch(/readiness check did not answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('/healthz follows liveness: 503 after a fatal error', async () => {
    expect((await get('/healthz')).status).toBe(200);
    alive = { ok: false, reason: 'fatal: SCHEMA_INCOMPATIBLE' };
    expect(await get('/healthz')).toMatchObject({ status: 503 });
  });

  it('/metrics serves the registry in the Prometheus text format', async () => {
    metrics.recordsIn('flights', 5);
    metrics.messageHandled('etl.flights.extracted', 'processed', 0.02);
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain('etl_records_in_total{stage="transformer",pipeline="flights"} 5');
    expect(res.body).toContain('etl_message_duration_seconds_count{stage="transformer",topic="etl.flights.extracted",outcome="processed"} 1');
  });

  it('unknown paths are 404, other methods 405, HEAD has no body', async () => {
    expect((await get('/nope')).status).toBe(404);
    expect((await get('/metrics', 'POST')).status).toBe(405);
    expect(await get('/healthz', 'HEAD')).toMatchObject({ status: 200, body: '' });
  });
});
