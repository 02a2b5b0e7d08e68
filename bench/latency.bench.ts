/**
 * npm run bench:latency [-- --runs 40 --records 1000 --shared]
 *
 * Small runs through warm workers (three processes, already in their groups):
 * trigger → completed, p50/p99 over many runs, and where the time goes. Each
 * run leaves timestamps in staging as it passes a stage (requested, plan
 * staged, chunk extracted, chunk transformed, run completed); each segment
 * between two of them holds one Kafka hop and the handler work between the
 * two marks. The workers' etl_message_duration_seconds histograms give each
 * handler's whole time (handlers overlap: the extractor still finishes its
 * split while the transformer has the chunk). Beside each run, the same
 * documents through insertMany alone: the database's share of the floor.
 */
import { connectRunControl } from '@brokered-etl/run-control';
import { createSilentLogger } from '@brokered-etl/observability';
import { connectMongo } from '@brokered-etl/staging';
import { databaseFor, workerEnvFor } from '@brokered-etl/testing';
import { benchEnv, runBench, table } from './bench.env';
import { watchUsage } from './peers-proc';
import { median, percentile } from './peers-report';
import { startPeerServices } from './peers-setup';

const SEGMENTS = [
  { name: 'trigger → plan staged', stage: 'extractor', topic: 'etl.runs.trigger' },
  { name: 'plan staged → chunk extracted', stage: 'extractor', topic: 'etl.runs.splits' },
  { name: 'chunk extracted → chunk transformed', stage: 'transformer', topic: 'extracted' },
  { name: 'chunk transformed → run completed', stage: 'loader', topic: 'transformed' },
] as const;

function parseArgs(argv: string[]) {
  const number = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    const value = i >= 0 ? Number(argv[i + 1]) : fallback;
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1`);
    return value;
  };
  return { runs: number('runs', 40), records: number('records', 1000), shared: argv.includes('--shared') };
}

/** Sum and count of the message-duration histogram per stage/topic, from a worker's /metrics. */
async function handlerTotals(url: string): Promise<Map<string, { sum: number; count: number }>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const totals = new Map<string, { sum: number; count: number }>();
  for (const match of text.matchAll(/^etl_message_duration_seconds_(sum|count)\{stage="([^"]+)",topic="([^"]+)",outcome="processed"\} ([\d.e+-]+)$/gm)) {
    const [, kind, stage, topic, value] = match;
    const key = `${stage} ${topic}`;
    const entry = totals.get(key) ?? { sum: 0, count: 0 };
    entry[kind as 'sum' | 'count'] = Number(value);
    totals.set(key, entry);
  }
  return totals;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const report = (line: string) => process.stderr.write(`[latency] ${line}\n`);
  const namespace = `latency${Date.now().toString(36)}`;
  const database = databaseFor(namespace);
  const services = await startPeerServices({ shared: options.shared, base: benchEnv(), namespace, database, report, withoutConnect: true });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void services.close().finally(() => process.exit(130)));
  const connected = await connectRunControl(workerEnvFor(services.env, namespace, database), createSilentLogger(), ['flights']);
  const mongo = await connectMongo({ url: services.env.mongoUrl, database });
  try {
    const params = { source: 'flights-2k.json', limit: String(options.records) };
    const runOnce = async () => {
      // the same keys each time: start from an empty target so every run is a first load, as a new slice would be
      await mongo.db.collection('flights').deleteMany({});
      const { runId } = await connected.control.trigger({ pipeline: 'flights', params, requestedBy: 'bench:latency' });
      for (;;) {
        const run = await connected.control.getRun(runId);
        if (run?.status === 'completed') return run;
        if (run?.status === 'failed') throw new Error(`run ${runId} failed: ${run.failure?.message}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    report('warm-up: 3 runs');
    for (let i = 0; i < 3; i++) await runOnce();

    const stages = ['extractor', 'transformer', 'loader'] as const;
    const before = await Promise.all(stages.map((s) => handlerTotals(services.opsUrl(s))));
    const usage = watchUsage(Object.values(services.watched));
    const totals: number[] = [];
    const rawInserts: number[] = [];
    const segments: number[][] = SEGMENTS.map(() => []);
    for (let i = 0; i < options.runs; i++) {
      const run = await runOnce();
      const plan = await mongo.db.collection('staging.plans').findOne({ _id: run.runId as never });
      const marks = await mongo.db.collection('staging.ledger').find({ runId: run.runId, chunkSeq: { $gte: 0 } }).toArray();
      const latest = (mark: 'extracted' | 'transformed') => Math.max(...marks.map((m) => (m[mark] as { at?: Date } | undefined)?.at?.getTime() ?? 0));
      const points = [run.requestedAt.getTime(), (plan?.['plannedAt'] as Date).getTime(), latest('extracted'), latest('transformed'), run.finishedAt!.getTime()];
      totals.push(points[4]! - points[0]!);
      SEGMENTS.forEach((_, s) => segments[s]!.push(points[s + 1]! - points[s]!));
      // interleaved: the run's own documents again, one insertMany into an empty collection
      const documents = await mongo.db.collection('flights').find({}).toArray();
      await mongo.db.collection('raw').deleteMany({});
      const started = process.hrtime.bigint();
      await mongo.db.collection('raw').insertMany(documents, { ordered: false });
      rawInserts.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    const used = usage.stop();
    const after = await Promise.all(stages.map((s) => handlerTotals(services.opsUrl(s))));

    const ms = (value: number) => (Number.isNaN(value) ? '-' : value.toFixed(0));
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const row = (what: string, values: number[]) => [what, values.length, ms(median(values)), ms(percentile(values, 90)), ms(percentile(values, 99)), ms(Math.max(...values)), ms(mean(values))];
    const met = median(totals) <= 300 && percentile(totals, 99) <= 1000;
    console.log(
      table(
        `${options.runs} runs of ${options.records.toLocaleString('en-US')} flights through warm workers (3 processes), ms; target p50 ≤ 300, p99 ≤ 1,000: ${met ? 'met' : 'missed'}`,
        ['what', 'n', 'p50', 'p90', 'p99', 'max', 'mean'],
        [row('trigger → completed', totals), row('raw: insertMany of the same documents, one call (interleaved)', rawInserts)],
      ),
    );
    console.log(
      table(
        'Where the time goes: between the timestamps a run leaves in staging (ms); each segment holds one Kafka hop',
        ['segment', 'p50', 'p99', 'mean'],
        SEGMENTS.map((segment, s) => [segment.name, ms(median(segments[s]!)), ms(percentile(segments[s]!, 99)), ms(mean(segments[s]!))]),
      ),
    );
    const handlerRows = SEGMENTS.map((segment) => {
      const i = stages.indexOf(segment.stage);
      for (const [key, end] of after[i]!) {
        if (!key.startsWith(`${segment.stage} `) || !key.includes(segment.topic)) continue;
        const start = before[i]!.get(key) ?? { sum: 0, count: 0 };
        const count = end.count - start.count;
        return [segment.stage, key.slice(segment.stage.length + 1), (count / options.runs).toFixed(1), ms(count ? ((end.sum - start.sum) * 1000) / count : NaN)];
      }
      return [segment.stage, segment.topic, '0', '-'];
    });
    console.log(table("Handlers, from the workers' etl_message_duration_seconds over the same runs", ['stage', 'input topic', 'messages/run', 'mean ms/message'], handlerRows));
    const cpuRows = Object.entries(used.cpuSeconds).map(([name, seconds]) => [name, ((seconds * 1000) / options.runs).toFixed(0), (used.peakRssBytes[name]! / 1048576).toFixed(0)]);
    console.log(table('CPU ms per run and peak RSS (MiB) of each process over the measured runs, from /proc', ['process', 'CPU ms/run', 'peak RSS MiB'], cpuRows));
    console.log(`\nservices: ${options.shared ? 'the shared ones in the environment' : 'private Kafka and FerretDB, shared registry'}`);
  } finally {
    await mongo.db.dropDatabase().catch(() => undefined);
    await mongo.close();
    await connected.close();
    await services.close();
  }
}

runBench(main);
