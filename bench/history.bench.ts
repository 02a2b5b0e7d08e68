/**
 * npm run bench:history -- [runs] [small source] [reload source] — does a run
 * cost more as history grows? The three stage workers and the HTTP API in this
 * process (real Kafka, registry and MongoDB), one staging database:
 *
 * 1. `runs` small runs one after another (default 200 × flights-2k.json): the
 *    p50 of trigger→completed (the run's own requestedAt → finishedAt) and of
 *    `GET /runs/:id` right after each run, for the first 10 and the last 10,
 *    beside the raw limit measured at the same moments: one findOne by _id of
 *    the run document.
 *    These runs go through every stage (SKIP_UNCHANGED_INPUT=false): the same
 *    file again would otherwise be skipped at extraction after the first run.
 * 2. A first load of a bigger file (default flights-20k.json), then the same
 *    unchanged file again: with the skip off (every chunk extracted and
 *    transformed again, the loader finds the content there), then with it on
 *    (once to record the inputs, then skipped at extraction), beside insertMany
 *    of the same documents into an empty collection (the raw limit).
 */
import { randomBytes } from 'node:crypto';
import { buildApiApp } from '@brokered-etl/http-api';
import { createSilentLogger } from '@brokered-etl/observability';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { connectRunControl, type RunControl } from '@brokered-etl/run-control';
import { workerEnvFor } from '@brokered-etl/testing';
import { connectMongo } from '@brokered-etl/staging';
import { startAllStages } from '@brokered-etl/worker/testing';
import { benchEnv, runBench, table, timed } from './bench.env';

const WINDOW = 10;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Triggers a run and waits on its document by _id (cheap at any history size), so the wait itself does not load staging. */
async function runOnce(control: RunControl, source: string): Promise<{ runId: string; ms: number; loaded: number }> {
  const { runId } = await control.trigger({ pipeline: 'flights', params: { source }, requestedBy: 'bench' });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const run = await control.getRun(runId);
    if (run?.status === 'failed') throw new Error(`run ${runId} failed: ${run.failure?.code} ${run.failure?.message}`);
    if (run?.status === 'completed') return { runId, ms: run.finishedAt!.getTime() - run.requestedAt.getTime(), loaded: run.counts?.loaded ?? 0 };
    if (Date.now() > deadline) throw new Error(`run ${runId} did not complete in 10 minutes (${run?.status})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function msOf(calls: number, call: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) samples.push((await timed(call)).ms);
  return median(samples);
}

async function main() {
  const runs = Number(process.argv[2] ?? 200);
  const small = process.argv[3] ?? 'flights-2k.json';
  const reload = process.argv[4] ?? 'flights-20k.json';
  const env = benchEnv();
  const tag = `benchhist${Date.now().toString(36)}`;
  const logger = createSilentLogger();
  let stages = await startAllStages({ env, namespace: tag, database: tag, logger, extraEnv: { SKIP_UNCHANGED_INPUT: 'false' } });
  const connected = await connectRunControl(workerEnvFor(env, tag, tag), logger, PIPELINES.map((p) => p.name));
  const { control } = connected;
  const token = randomBytes(16).toString('hex');
  const auth = { authorization: `Bearer ${token}` };
  const app = await buildApiApp({ control, pipelines: PIPELINES, logger, auth: { kind: 'tokens', tokens: [{ scope: 'write', token }] }, writesPerMinute: 1_000_000 });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const mongo = await connectMongo({ url: env.mongoUrl, database: tag });
  const runDocs = mongo.db.collection<{ _id: string }>('staging.runs');

  const getRun = async (runId: string) => {
    const res = await fetch(`${base}/runs/${runId}`, { headers: auth });
    if (res.status !== 200) throw new Error(`GET /runs/${runId}: ${res.status} ${await res.text()}`);
    return res.json();
  };

  const perRun: Array<{ run: number; runId: string; triggerToCompleted: number; getRunMs: number; rawMs: number }> = [];
  const started = Date.now();
  for (let i = 0; i < runs; i++) {
    const done = await runOnce(control, small);
    const getRunMs = await msOf(5, () => getRun(done.runId));
    const rawMs = await msOf(5, () => runDocs.findOne({ _id: done.runId }));
    perRun.push({ run: i + 1, runId: done.runId, triggerToCompleted: done.ms, getRunMs, rawMs });
    if ((i + 1) % 20 === 0) process.stderr.write(`${i + 1}/${runs} runs, ${((Date.now() - started) / 1000).toFixed(0)} s; last trigger→completed ${done.ms} ms, GET /runs/:id ${getRunMs.toFixed(1)} ms\n`);
  }
  // where each run's time went: the last mark of each stage, from the run's own ledger (ms after trigger)
  const stageEnds = async (runId: string) => {
    const run = (await runDocs.findOne({ _id: runId })) as unknown as { requestedAt: Date; sourceEndedAt?: Date; finishedAt?: Date };
    const marks = await mongo.db.collection<{ extracted?: { at: Date }; transformed?: { at: Date }; loaded?: { at: Date } }>(`staging.run.${runId}.ledger`).find({}).toArray();
    const last = (stage: 'extracted' | 'transformed' | 'loaded') => Math.max(...marks.map((m) => m[stage]?.at.getTime() ?? 0)) - run.requestedAt.getTime();
    const plan = (await mongo.db.collection('staging.plans').findOne({ _id: runId } as never)) as unknown as { plannedAt: Date } | null;
    return [(plan?.plannedAt.getTime() ?? 0) - run.requestedAt.getTime(), last('extracted'), (run.sourceEndedAt?.getTime() ?? 0) - run.requestedAt.getTime(), last('transformed'), last('loaded'), (run.finishedAt?.getTime() ?? 0) - run.requestedAt.getTime()];
  };
  const first = perRun.slice(0, WINDOW);
  const last = perRun.slice(-WINDOW);
  const p50 = (rows: typeof perRun, key: 'triggerToCompleted' | 'getRunMs' | 'rawMs') => median(rows.map((r) => r[key]));
  const growth = (key: 'triggerToCompleted' | 'getRunMs' | 'rawMs') => `${(((p50(last, key) - p50(first, key)) / p50(first, key)) * 100).toFixed(0)} %`;
  console.log(
    table(`${runs} runs of ${small} into one staging database (p50, ms)`, ['what', `runs 1-${WINDOW}`, `runs ${runs - WINDOW + 1}-${runs}`, 'last vs first'], [
      ['trigger → completed', p50(first, 'triggerToCompleted').toFixed(0), p50(last, 'triggerToCompleted').toFixed(0), growth('triggerToCompleted')],
      ['GET /runs/:id (run, live counts, rejections)', p50(first, 'getRunMs').toFixed(1), p50(last, 'getRunMs').toFixed(1), growth('getRunMs')],
      ['raw: findOne by _id of the run document', p50(first, 'rawMs').toFixed(2), p50(last, 'rawMs').toFixed(2), growth('rawMs')],
    ]),
  );
  const stageColumns = ['planned', 'last extracted', 'source ended', 'last transformed', 'last loaded', 'completed'];
  const windowEnds = async (rows: typeof perRun) => {
    const ends = await Promise.all(rows.map((r) => stageEnds(r.runId)));
    return stageColumns.map((_, i) => median(ends.map((e) => e[i]!)));
  };
  console.log(table(`where a small run's time goes (p50, ms after trigger)`, ['runs', ...stageColumns], [[`1-${WINDOW}`, ...(await windowEnds(first))], [`${runs - WINDOW + 1}-${runs}`, ...(await windowEnds(last))]]));

  const firstLoad = await runOnce(control, reload);
  const again = await runOnce(control, reload);
  // the same workers with the skip on (the default): the first run records the inputs, the next one skips them
  await stages.stop();
  stages = await startAllStages({ env, namespace: tag, database: tag, logger });
  const recording = await runOnce(control, reload);
  const skipped = await runOnce(control, reload);
  const docs = await mongo.db.collection('flights').find({ _id: { $regex: `^${reload.replace(/\./g, '\\.')}:` } } as never).toArray();
  const raw = await timed(async () => {
    for (let i = 0; i < docs.length; i += 5000) await mongo.db.collection('flights_raw').insertMany(docs.slice(i, i + 5000), { ordered: false });
  });
  const share = (ms: number) => `${((ms / firstLoad.ms) * 100).toFixed(0)} %`;
  console.log(
    table(`${reload}: a first load, then the same unchanged file again (trigger → completed)`, ['what', 'records', 'seconds', 'vs first load'], [
      ['first load', firstLoad.loaded, (firstLoad.ms / 1000).toFixed(1), '100 %'],
      ['reload, SKIP_UNCHANGED_INPUT=false (extracted, transformed, loader finds it there)', again.loaded, (again.ms / 1000).toFixed(1), share(again.ms)],
      ['reload, skip on, inputs not recorded yet (as above, and records them)', recording.loaded, (recording.ms / 1000).toFixed(1), share(recording.ms)],
      ['reload, skip on: unchanged input skipped at extraction', skipped.loaded, (skipped.ms / 1000).toFixed(1), share(skipped.ms)],
      ['raw: insertMany of the same documents, empty collection', docs.length, (raw.ms / 1000).toFixed(1), share(raw.ms)],
    ]),
  );

  console.log(
    table(`${reload}: when each stage's last chunk was done (ms after trigger)`, ['run', 'planned', 'last extracted', 'source ended', 'last transformed', 'last loaded', 'completed'], [
      ['first load', ...(await stageEnds(firstLoad.runId))],
      ['reload, skip off', ...(await stageEnds(again.runId))],
      ['reload, skipped', ...(await stageEnds(skipped.runId))],
    ]),
  );

  await app.close();
  await mongo.db.dropDatabase();
  await mongo.close();
  await connected.close();
  await stages.stop();
}

runBench(main);
