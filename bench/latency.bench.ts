/**
 * npm run bench:latency [-- --runs 40 --records 1000 --shared]
 *
 * Small runs through warm workers (three processes, already in their groups):
 * trigger → completed, p50/p99 over many runs, and where the time goes. Each
 * stage emits run events as it passes (contracts' RunEvent: planned, split
 * extracted, chunk transformed, chunk loaded, run completed), stamped by the
 * emitting worker's clock on this one host: when each happened after the
 * trigger says where the time goes. The workers' etl_message_duration_seconds
 * histograms give each handler's own time (handlers overlap: the extractor
 * still finishes its split while the transformer has the chunk). Beside each
 * run, the same documents through insertMany alone: the database's floor.
 */
import { topicNames, type RunEvent } from '@brokered-etl/contracts';
import { createAvroRegistry, createKafkaClient } from '@brokered-etl/messaging';
import { connectRunControl } from '@brokered-etl/run-control';
import { createSilentLogger } from '@brokered-etl/observability';
import { connectMongo } from '@brokered-etl/staging';
import { databaseFor, workerEnvFor } from '@brokered-etl/testing';
import { benchEnv, runBench, table } from './bench.env';
import { watchUsage } from './peers-proc';
import { median, percentile } from './peers-report';
import { startPeerServices } from './peers-setup';
import { emptyTargetSide } from './peers-trials';

/** Run events each stage emits, in the order a one-chunk run passes them. */
const MILESTONES = [
  { type: 'run.started', what: 'planned', stage: 'extractor', topic: 'etl.runs.trigger' },
  { type: 'split.extracted', what: 'split read, staged, produced', stage: 'extractor', topic: 'etl.runs.splits' },
  { type: 'chunk.transformed', what: 'chunk transformed, staged, produced', stage: 'transformer', topic: 'extracted' },
  { type: 'chunk.loaded', what: 'chunk inserted and marked', stage: 'loader', topic: 'transformed' },
  { type: 'run.completed', what: 'run completed', stage: 'loader', topic: '' },
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
  const logger = createSilentLogger();
  const connected = await connectRunControl(workerEnvFor(services.env, namespace, database), logger, ['flights']);
  const mongo = await connectMongo({ url: services.env.mongoUrl, database });
  const kafka = createKafkaClient({ brokers: services.env.kafkaBrokers, clientId: 'bench-latency', logger });
  const consumer = kafka.consumer({ groupId: `${namespace}.bench-latency` });
  try {
    // every run event, by run: the first time each type was emitted
    const events = new Map<string, Map<string, number>>();
    const registry = createAvroRegistry({ url: services.env.schemaRegistryUrl });
    await consumer.connect();
    await consumer.subscribe({ topic: topicNames(namespace).events, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const event = await registry.decode<RunEvent>(message.value);
        const seen = events.get(event.runId) ?? events.set(event.runId, new Map()).get(event.runId)!;
        if (!seen.has(event.type)) seen.set(event.type, event.at.getTime());
      },
    });
    const eventsOf = async (runId: string) => {
      for (let i = 0; i < 500; i++) {
        const seen = events.get(runId);
        if (seen && MILESTONES.every((m) => seen.has(m.type))) return seen;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`run ${runId}: not every milestone's event arrived within 10 s (saw ${[...(events.get(runId)?.keys() ?? [])].join(', ')})`);
    };

    const params = { source: 'flights-2k.json', limit: String(options.records) };
    const runOnce = async () => {
      // the same keys each time: start from an empty target so every run is a first load, as a new slice would be
      await emptyTargetSide(mongo.db, 'delete');
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
    const sinceTrigger: number[][] = MILESTONES.map(() => []);
    for (let i = 0; i < options.runs; i++) {
      const run = await runOnce();
      const seen = await eventsOf(run.runId);
      const t0 = run.requestedAt.getTime();
      totals.push(run.finishedAt!.getTime() - t0);
      MILESTONES.forEach((m, k) => sinceTrigger[k]!.push(seen.get(m.type)! - t0));
      // interleaved: the run's own documents again, one insertMany into an empty collection
      const documents = await mongo.db.collection('flights').find({}).toArray();
      if (documents.length !== options.records) throw new Error(`run ${run.runId} left ${documents.length} documents, not ${options.records}`);
      await mongo.db.collection('raw').deleteMany({});
      const started = process.hrtime.bigint();
      await mongo.db.collection('raw').insertMany(documents, { ordered: false });
      rawInserts.push(Number(process.hrtime.bigint() - started) / 1e6);
      if ((i + 1) % 10 === 0) report(`${i + 1}/${options.runs} runs`);
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
    const handlerOf = (stage: (typeof stages)[number], topic: string) => {
      const i = stages.indexOf(stage);
      for (const [key, end] of after[i]!) {
        if (!topic || !key.startsWith(`${stage} `) || !key.endsWith(topic)) continue;
        const start = before[i]!.get(key) ?? { sum: 0, count: 0 };
        const count = end.count - start.count;
        if (count > 0) return `${ms(((end.sum - start.sum) * 1000) / count)} (${(count / options.runs).toFixed(1)} a run)`;
      }
      return '-';
    };
    console.log(
      table(
        'Where the time goes: ms after the trigger when each stage emitted its run event (each step adds one Kafka hop)',
        ['milestone', 'event', 'p50', 'p99', 'mean', "its handler's mean ms (/metrics)"],
        MILESTONES.map((m, k) => [`${m.what} (${m.stage})`, m.type, ms(median(sinceTrigger[k]!)), ms(percentile(sinceTrigger[k]!, 99)), ms(mean(sinceTrigger[k]!)), handlerOf(m.stage, m.topic)]),
      ),
    );
    const cpuRows = Object.entries(used.cpuSeconds)
      .filter(([name]) => name !== 'connect')
      .map(([name, seconds]) => [name, ((seconds * 1000) / options.runs).toFixed(0), (used.peakRssBytes[name]! / 1048576).toFixed(0)]);
    console.log(table('CPU ms per run and peak RSS (MiB) of each process over the measured runs, from /proc', ['process', 'CPU ms/run', 'peak RSS MiB'], cpuRows));
    console.log(`\nservices: ${options.shared ? 'the shared ones in the environment' : 'private Kafka and FerretDB, shared registry'}`);
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await mongo.db.dropDatabase().catch(() => undefined);
    await mongo.close();
    await connected.close();
    await services.close();
  }
}

runBench(main);
