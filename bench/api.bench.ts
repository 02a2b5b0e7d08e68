/**
 * npm run bench:api — latency and throughput of the HTTP API (in this process,
 * real Kafka, registry and MongoDB, no stage workers), beside its raw limits
 * measured in the same run: the same run-control calls without HTTP, and an
 * empty fastify route (the HTTP + JSON floor of this machine).
 */
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { buildApiApp } from '@brokered-etl/http-api';
import { createSilentLogger } from '@brokered-etl/observability';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { connectRunControl } from '@brokered-etl/run-control';
import { workerEnvFor } from '@brokered-etl/testing';
import { connectMongo, createMongoStagingStore } from '@brokered-etl/staging';
import { benchEnv, runBench, table } from './bench.env';

const SEEDED_RUNS = 200;
const SEQUENTIAL = 300;
const CONCURRENT = { clients: 8, requests: 800 };

/** Milliseconds of each call, one after another. */
async function sequential(n: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await call(i);
    ms.push(performance.now() - started);
  }
  return ms;
}

/** Requests per second with `clients` callers sharing `requests` calls. */
async function concurrent(clients: number, requests: number, call: () => Promise<unknown>): Promise<number> {
  let left = requests;
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (left-- > 0) await call();
  }));
  return (requests * 1000) / (performance.now() - started);
}

const quantile = (ms: number[], q: number) => [...ms].sort((a, b) => a - b)[Math.min(ms.length - 1, Math.floor(q * ms.length))]!;
const row = (what: string, via: string, ms: number[]) => [what, via, ms.length, quantile(ms, 0.5).toFixed(2), quantile(ms, 0.95).toFixed(2), quantile(ms, 0.99).toFixed(2), Math.round((ms.length * 1000) / ms.reduce((a, b) => a + b, 0)).toLocaleString('en-US')];

async function getJson(url: string, init?: RequestInit, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await fetch(url, { ...init, headers: { ...headers, ...(init?.headers as Record<string, string> | undefined) } });
  if (res.status >= 400) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function main() {
  const env = benchEnv();
  const tag = `benchapi${Date.now().toString(36)}`;
  const logger = createSilentLogger();
  const connected = await connectRunControl(workerEnvFor(env, tag, tag), logger, PIPELINES.map((p) => p.name));
  const { control } = connected;

  // completed runs to list and show, as a day of scheduled runs would leave them
  const mongo = await connectMongo({ url: env.mongoUrl, database: tag });
  const staging = createMongoStagingStore(mongo.db);
  await staging.ensureIndexes();
  const at = new Date();
  for (let i = 0; i < SEEDED_RUNS; i++) {
    const runId = `flights.bench.${String(i).padStart(4, '0')}`;
    await staging.createRun({ runId, pipeline: 'flights', params: { source: 'flights-2k.json' }, requestedBy: 'bench', status: 'requested', requestedAt: new Date(at.getTime() + i) });
    await staging.markRunStarted(runId, at);
    await staging.markChunk(runId, 0, { extracted: { records: 2000, at }, transformed: { records: 1998, rejected: 2, at }, loaded: { records: 1998, at } });
    await staging.markSourceEnded(runId, { totalChunks: 1, totalRecords: 2000 }, at);
    await staging.completeRunIfDone(runId, at);
  }
  // and runs still going, whose listing needs live counts (here: the airports pipeline, for a filter that finds only them)
  const RUNNING = 20;
  for (let i = 0; i < RUNNING; i++) {
    const runId = `airports.bench.${String(i).padStart(4, '0')}`;
    await staging.createRun({ runId, pipeline: 'airports', params: {}, requestedBy: 'bench', status: 'requested', requestedAt: new Date(at.getTime() + i) });
    await staging.markRunStarted(runId, at);
    for (let seq = 0; seq < 4; seq++) await staging.markChunk(runId, seq, { extracted: { records: 5000, at }, ...(seq < 2 ? { loaded: { records: 5000, at } } : {}) });
  }

  // a write token as a deployment would have; the write rate limit lifted, or the trigger rows would measure 429s
  const token = randomBytes(16).toString('hex');
  const auth = { authorization: `Bearer ${token}` };
  const app = await buildApiApp({ control, pipelines: PIPELINES, logger, auth: { kind: 'tokens', tokens: [{ scope: 'write', token }] }, writesPerMinute: 1_000_000 });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const floor = Fastify({ logger: false });
  floor.get('/ping', async () => ({ ok: true }));
  const floorBase = await floor.listen({ host: '127.0.0.1', port: 0 });
  const memory: number[] = [];
  const sampler = setInterval(() => memory.push(process.memoryUsage().rss), 200);

  const runId = (i: number) => `flights.bench.${String(i % SEEDED_RUNS).padStart(4, '0')}`;
  // warm-up: connections, JIT
  await sequential(20, () => getJson(`${base}/runs?limit=20&pipeline=flights`, undefined, auth));

  const listed = { limit: 20, pipeline: 'flights' };
  const going = { limit: RUNNING, pipeline: 'airports' };
  const rows = [
    row('empty route {ok:true}', 'fastify (floor)', await sequential(SEQUENTIAL, () => getJson(`${floorBase}/ping`))),
    row('list 20 completed runs', 'GET /runs', await sequential(SEQUENTIAL, () => getJson(`${base}/runs?limit=20&pipeline=flights`, undefined, auth))),
    row('list 20 completed runs', 'run control (raw)', await sequential(SEQUENTIAL, () => control.describeRuns(listed))),
    row(`list ${RUNNING} running runs, live counts`, 'GET /runs', await sequential(SEQUENTIAL / 3, () => getJson(`${base}/runs?limit=${RUNNING}&pipeline=airports`, undefined, auth))),
    row(`list ${RUNNING} running runs, live counts`, 'run control (raw)', await sequential(SEQUENTIAL / 3, () => control.describeRuns(going))),
    row(`list ${RUNNING} running runs, live counts`, 'one describeRun per run', await sequential(SEQUENTIAL / 3, async () => Promise.all((await control.listRuns(going)).map((r) => control.describeRun(r.runId))))),
    row('one run + its rejections', 'GET /runs/:id', await sequential(SEQUENTIAL, (i) => getJson(`${base}/runs/${runId(i)}`, undefined, auth))),
    row('one run + its rejections', 'run control (raw)', await sequential(SEQUENTIAL, async (i) => [await control.describeRun(runId(i)), await control.listRejections(runId(i))])),
  ];
  const parallelApi = await concurrent(CONCURRENT.clients, CONCURRENT.requests, () => getJson(`${base}/runs?limit=20&pipeline=flights`, undefined, auth));
  const parallelRaw = await concurrent(CONCURRENT.clients, CONCURRENT.requests, () => control.describeRuns(listed));
  // last: each trigger leaves a requested run behind (no workers here)
  await control.trigger({ pipeline: 'flights', params: { source: 'flights-2k.json' }, requestedBy: 'bench' });
  rows.push(
    row('trigger a run', 'POST /runs', await sequential(100, () => getJson(`${base}/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"pipeline":"flights","params":{"source":"flights-2k.json"}}' }, auth))),
    row('trigger a run', 'run control (raw)', await sequential(100, () => control.trigger({ pipeline: 'flights', params: { source: 'flights-2k.json' }, requestedBy: 'bench' }))),
  );
  clearInterval(sampler);

  console.log(table(`HTTP API over ${SEEDED_RUNS} completed and ${RUNNING} running runs (sequential calls; ms per call)`, ['operation', 'via', 'n', 'p50', 'p95', 'p99', 'calls/s'], rows));
  console.log(
    table(`${CONCURRENT.clients} concurrent callers, ${CONCURRENT.requests} calls`, ['operation', 'via', 'calls/s'], [
      ['list 20 completed runs', 'GET /runs', Math.round(parallelApi).toLocaleString('en-US')],
      ['list 20 completed runs', 'run control (raw)', Math.round(parallelRaw).toLocaleString('en-US')],
    ]),
  );
  console.log(`\npeak RSS of this process (API + run control): ${(Math.max(...memory) / 1048576).toFixed(0)} MiB`);

  await app.close();
  await floor.close();
  await mongo.db.dropDatabase();
  await mongo.close();
  await connected.close();
}

runBench(main);
