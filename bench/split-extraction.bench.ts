/**
 * npm run bench:splits -- [--rows N] [--extractors 1,2] [--split-records 50000] [--skip-latency] [--skip-extraction]
 *
 * Split extraction (ADR 0004), measured with the stage apps as separate
 * processes on the real services:
 *  1. extraction alone: flights-3m.parquet (or its first --rows) planned and
 *     extracted by 1 and by 2 extractor processes: seconds to "source ended",
 *     records/s, and each instance's share (from its own /metrics);
 *     beside it, the raw limit measured in the same run: reading the same rows
 *     with the Parquet reader alone, in this process;
 *  2. latency behind a big run: with 2 extractors, a transformer and a loader
 *     busy on the big run, a small run of the second pipeline (airports, 3,376
 *     records) is triggered, and its trigger → completed time is reported.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { createSilentLogger } from '@brokered-etl/observability';
import { fileSource, readWholeSource, vegaDataDir } from '@brokered-etl/pipeline-kit';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { connectRunControl, type ConnectedRunControl } from '@brokered-etl/run-control';
import { appEnvFor, startApp, waitFor, workerEnvFor, type AppProcess } from '@brokered-etl/testing';
import { connectMongo } from '@brokered-etl/staging';
import { benchEnv, runBench, table, timed } from './bench.env';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '3000000' },
    extractors: { type: 'string', default: '1,2' },
    'split-records': { type: 'string', default: '50000' },
    'skip-latency': { type: 'boolean', default: false },
    'skip-extraction': { type: 'boolean', default: false },
  },
});
const rows = Number(args.rows);
const splitRecords = args['split-records']!;
const env = benchEnv();
const logger = createSilentLogger();
const rate = (n: number, seconds: number) => Math.round(n / seconds).toLocaleString('en-US');

/** One stage app process with its ops port, so its own counters can be read. */
async function startStage(stage: string, tag: string, index: number, extra: Record<string, string> = {}): Promise<AppProcess & { opsUrl: string }> {
  const app = startApp(stage, { ...appEnvFor(env, tag, tag), OPS_PORT: '0', EXTRACT_SPLIT_RECORDS: splitRecords, LOG_LEVEL: 'info', KAFKA_CLIENT_ID: `${stage}-${index}`, ...extra });
  const line = await app.waitForLine((l) => l.includes('ops server listening'), 120_000);
  const url = (JSON.parse(line) as { url: string }).url;
  await app.waitForLine((l) => l.includes('joined group'), 120_000);
  return Object.assign(app, { opsUrl: url });
}

async function recordsOut(opsUrl: string): Promise<number> {
  const text = await (await fetch(`${opsUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('etl_records_out_total'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

async function withNamespace<T>(prefix: string, work: (tag: string, control: ConnectedRunControl) => Promise<T>): Promise<T> {
  const tag = `${prefix}${Date.now().toString(36)}`;
  const control = await connectRunControl(workerEnvFor(env, tag, tag), logger, PIPELINES.map((p) => p.name));
  try {
    return await work(tag, control);
  } finally {
    await control.close();
    const mongo = await connectMongo({ url: env.mongoUrl, database: tag });
    await mongo.db.dropDatabase().catch(() => undefined);
    await mongo.close();
  }
}

async function extractionAlone(extractors: number): Promise<Array<string | number>> {
  return withNamespace('benchsplit', async (tag, control) => {
    const apps = [];
    for (let i = 0; i < extractors; i++) apps.push(await startStage('extractor', tag, i));
    try {
      const { runId } = await control.control.trigger({ pipeline: 'flights', params: { source: 'flights-3m.parquet', limit: String(rows) }, requestedBy: 'bench' });
      const ended = await waitFor('source ended', async () => {
        const run = await control.control.describeRun(runId);
        return run?.sourceEndedAt ? run : undefined;
      }, 60 * 60_000);
      const seconds = (ended.sourceEndedAt!.getTime() - ended.startedAt!.getTime()) / 1000;
      const shares = await Promise.all(apps.map((a) => recordsOut(a.opsUrl)));
      const total = shares.reduce((a, b) => a + b, 0);
      return [
        `${extractors} extractor${extractors > 1 ? 's' : ''}`,
        ended.splitCount!,
        seconds.toFixed(1),
        rate(ended.totalRecords!, seconds),
        shares.map((s) => `${Math.round((100 * s) / total)} %`).join(' / '),
      ];
    } finally {
      await Promise.all(apps.map((a) => a.stop('SIGTERM')));
    }
  });
}

async function latencyBehindBigRun(): Promise<Array<Array<string | number>>> {
  return withNamespace('benchlat', async (tag, control) => {
    const apps = [await startStage('extractor', tag, 0), await startStage('extractor', tag, 1), await startStage('transformer', tag, 0), await startStage('loader', tag, 0)];
    try {
      const big = await control.control.trigger({ pipeline: 'flights', params: { source: 'flights-3m.parquet', limit: String(rows) }, requestedBy: 'bench' });
      await waitFor('the big run to be busy', async () => ((await control.control.describeRun(big.runId))?.counts?.splitsExtracted ?? 0) >= 2, 10 * 60_000);
      const small = await control.control.trigger({ pipeline: 'airports', params: {}, requestedBy: 'bench' });
      const run = await control.control.waitForRun(small.runId, { timeoutMs: 10 * 60_000, everyMs: 100 });
      const bigNow = await control.control.describeRun(big.runId);
      const seconds = (run.finishedAt!.getTime() - run.requestedAt.getTime()) / 1000;
      // where the time went: the last mark of each stage in the small run's ledger
      const mongo = await connectMongo({ url: env.mongoUrl, database: tag });
      const ledger = await mongo.db.collection(`staging.run.${small.runId}.ledger`).find({}).toArray(); // a run's ledger is its own collection
      await mongo.close();
      const lastAt = (mark: string) => Math.max(...ledger.map((e) => (e[mark] as { at?: Date } | undefined)?.at?.getTime() ?? 0));
      const since = (ms: number) => ((ms - run.requestedAt.getTime()) / 1000).toFixed(1);
      return [
        ['airports (3,376 records) triggered while the big run is extracting', run.status, seconds.toFixed(1)],
        ['… planned (trigger taken by an extractor)', '', since(run.startedAt!.getTime())],
        ['… extracted (its split taken and produced)', '', since(lastAt('extracted'))],
        ['… transformed', '', since(lastAt('transformed'))],
        ['… loaded', '', since(lastAt('loaded'))],
        [`the big run at that moment`, `splits ${bigNow?.counts?.splitsExtracted ?? 0}/${bigNow?.splitCount}`, `loaded ${bigNow?.counts?.loaded ?? 0}`],
      ];
    } finally {
      await Promise.all(apps.map((a) => a.stop('SIGTERM')));
    }
  });
}

async function main() {
  if (!args['skip-extraction']) await extractionTable();
  if (!args['skip-latency']) console.log(table('a second pipeline\'s small run behind a big one (2 extractors, 1 transformer, 1 loader)', ['what', 'status', 'seconds'], await latencyBehindBigRun()));
}

async function extractionTable() {
  const raw = await timed(async () => {
    let n = 0;
    for await (const _ of readWholeSource(fileSource({ defaultSource: 'flights-3m.parquet', toRecord: (r) => r }), { limit: String(rows) }, { splitRecords: Number(splitRecords) })) n++;
    return n;
  });
  const extraction = [];
  for (const n of args.extractors!.split(',').map(Number)) extraction.push(await extractionAlone(n));
  console.log(
    table(
      `extraction alone: ${rows.toLocaleString('en-US')} rows of ${join(vegaDataDir(), 'flights-3m.parquet').split('/').pop()}, ${Number(splitRecords).toLocaleString('en-US')} records a split (plan → every split staged and produced)`,
      ['extractors', 'splits', 'seconds', 'records/s', 'share per instance'],
      [...extraction, ['raw: the Parquet reader alone, same rows, one process', '-', (raw.ms / 1000).toFixed(1), rate(raw.value, raw.ms / 1000), '-']],
    ),
  );
}

runBench(main);
