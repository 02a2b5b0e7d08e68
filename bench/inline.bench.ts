/**
 * npm run bench:inline [-- --runs 30]
 *
 * A one-record run on demand, as a web app asks for it: POST /runs?wait=true
 * with one airport inline, through the api on a free port and the three stage
 * workers (in this process, warm, in their groups), airport-risk against the
 * simulated service (median 20 ms, p95 80 ms). Each run asks about a new
 * airport, so each makes one real service call. Beside it, in the same run,
 * the floors: one call to the service alone and one insertOne into the
 * database alone. POST /runs?wait=true looks at the run every 100 ms.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildApiApp } from '@brokered-etl/http-api';
import { createSilentLogger } from '@brokered-etl/observability';
import { vegaDataDir } from '@brokered-etl/pipeline-kit';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { AIRPORT_RISK_SERVICE } from '@brokered-etl/pipelines/airport-risk';
import { connectRunControl } from '@brokered-etl/run-control';
import { connectMongo } from '@brokered-etl/staging';
import { databaseFor, workerEnvFor } from '@brokered-etl/testing';
import { startThirdPartyService } from '@brokered-etl/third-party';
import { startAllStages } from '@brokered-etl/worker/testing';
import { benchEnv, runBench, table, timed } from './bench.env';
import { median, percentile } from './peers-report';

function runsArg(argv: string[]): number {
  const i = argv.indexOf('--runs');
  const value = i >= 0 ? Number(argv[i + 1]) : 30;
  if (!Number.isInteger(value) || value < 1 || value > 500) throw new Error('--runs must be a whole number from 1 to 500');
  return value;
}

async function main() {
  const runs = runsArg(process.argv.slice(2));
  const report = (line: string) => process.stderr.write(`[inline] ${line}\n`);
  const env = benchEnv();
  const namespace = `inline${Date.now().toString(36)}`;
  const database = databaseFor(namespace);
  const logger = createSilentLogger();
  const token = randomBytes(16).toString('hex');
  const lines = readFileSync(join(vegaDataDir(), 'airports.csv'), 'utf8').trim().split('\n').slice(1);
  const airports = lines.slice(0, runs + 3).map((line) => {
    const [iata, name, city, state, country, latitude, longitude] = line.split(',');
    return { iata, name, city, state, country, latitude, longitude };
  });

  const service = await startThirdPartyService({ latency: { medianMs: 20, p95Ms: 80 }, seed: 9 });
  const stages = await startAllStages({ env, namespace, database, logger, extraEnv: { ENRICHMENT_SERVICES: `${AIRPORT_RISK_SERVICE}=${service.url}` } });
  const connected = await connectRunControl(workerEnvFor(env, namespace, database), logger, PIPELINES);
  const app = await buildApiApp({ control: connected.control, pipelines: PIPELINES, logger, auth: { kind: 'tokens', tokens: [{ scope: 'write', token }] } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const mongo = await connectMongo({ url: env.mongoUrl, database });
  try {
    const oneRun = async (airport: Record<string, string>) => {
      const res = await fetch(`${base}/runs?wait=true&timeoutMs=60000`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ pipeline: 'airport-risk', records: [airport] }),
      });
      const body = (await res.json()) as { run?: { status: string; requestedAt: string; finishedAt: string; counts: { loaded: number } } };
      if (res.status !== 200 || body.run?.status !== 'completed' || body.run.counts.loaded !== 1) throw new Error(`run for ${airport.iata}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      return new Date(body.run.finishedAt).getTime() - new Date(body.run.requestedAt).getTime();
    };
    report('warm-up: 3 runs');
    for (const airport of airports.slice(0, 3)) await oneRun(airport);

    const http: number[] = [];
    const server: number[] = [];
    const call: number[] = [];
    const insert: number[] = [];
    const scratch = mongo.db.collection('bench_inline_floor');
    for (const [i, airport] of airports.slice(3).entries()) {
      const { ms, value } = await timed(() => oneRun(airport));
      http.push(ms);
      server.push(value);
      // interleaved floors: the service alone, the database alone
      call.push((await timed(async () => (await fetch(`${service.url}/risk/${airport.iata}`)).json())).ms);
      insert.push((await timed(() => scratch.insertOne({ _id: `${i}` as never, ...airport }))).ms);
    }
    const ms = (v: number) => v.toFixed(0);
    const row = (what: string, values: number[]) => [what, values.length, ms(median(values)), ms(percentile(values, 90)), ms(Math.max(...values))];
    console.log(
      table(`one-record airport-risk runs, POST /runs?wait=true (${runs} runs, after 3 warm-up; ms)`, ['what', 'n', 'p50', 'p90', 'max'], [
        row('POST /runs?wait=true, answered (client)', http),
        row('run requestedAt → finishedAt (server)', server),
        row('floor: one service call alone', call),
        row('floor: one insertOne alone', insert),
      ]),
    );
  } finally {
    await app.close();
    await connected.close();
    await stages.stop();
    await mongo.db.dropDatabase().catch(() => undefined);
    await mongo.close();
    await service.close();
  }
}

runBench(main);
