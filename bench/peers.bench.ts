/**
 * npm run bench:peers [-- --records 20000 --rounds 3 --replace-seconds 20 --shared --smoke
 *                        --only raw,loader,whole,sink,raw-small --worker-env KEY=VALUE]
 *
 * Our loader beside the tool users would pick instead, Kafka Connect 3.9.2
 * with MongoDB's sink connector, writing the same documents into the same
 * database, interleaved round by round so that load from other processes on
 * the host falls on every contender alike. Also our whole run, and the raw
 * insertMany of the same documents: the database's limit, in the same run.
 */
import { cpus, loadavg } from 'node:os';
import { spawnSync } from 'node:child_process';
import { createKafkaClient } from '@brokered-etl/messaging';
import { createSilentLogger } from '@brokered-etl/observability';
import { connectRunControl } from '@brokered-etl/run-control';
import { topicNames } from '@brokered-etl/contracts';
import { connectMongo, createMongoStagingStore } from '@brokered-etl/staging';
import { databaseFor, workerEnvFor } from '@brokered-etl/testing';
import { MONGO_SINK_CONNECTOR_VERSION } from '@brokered-etl/local-infra';
import { benchEnv, runBench, table } from './bench.env';
import { startPeerServices } from './peers-setup';
import { loaderAlone, rawInsertMany, sinkTrial, wholeRun, type SinkStrategy, type TrialContext, type TrialResult } from './peers-trials';
import { summarize, ratioRows, resourceRows, throughputRows, type Contender } from './peers-report';

interface Options {
  records: number;
  source: string;
  rounds: number;
  replaceSeconds: number;
  shared: boolean;
  /** Tiny numbers, no warm-up: it checks that every contender runs and is reported (CI). */
  smoke: boolean;
  /** --only raw,loader: only these kinds of contender (a quicker experiment). */
  only?: Set<string>;
  /** --worker-env KEY=VALUE (repeatable): set for our three workers, to measure a setting. */
  workerEnv: Record<string, string>;
}

function parseArgs(argv: string[]): Options {
  const smoke = argv.includes('--smoke');
  const value = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
  };
  const number = (name: string, fallback: number) => {
    const parsed = Number(value(name, String(fallback)));
    if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`--${name} must be a whole number ≥ 1, got "${value(name, '')}"`);
    return parsed;
  };
  const records = number('records', smoke ? 500 : 20_000);
  return {
    records,
    source: value('source', records <= 20_000 ? 'flights-20k.json' : 'flights-3m.parquet'),
    rounds: number('rounds', smoke ? 1 : 3),
    replaceSeconds: number('replace-seconds', smoke ? 3 : 20),
    shared: smoke || argv.includes('--shared'),
    smoke,
    only: argv.includes('--only') ? new Set(value('only', '').split(',')) : undefined,
    workerEnv: Object.fromEntries(
      argv
        .flatMap((arg, i) => (arg === '--worker-env' && argv[i + 1] ? [argv[i + 1]!] : []))
        .map((pair) => {
          const at = pair.indexOf('=');
          if (at < 1) throw new Error(`--worker-env takes KEY=VALUE, got "${pair}"`);
          return [pair.slice(0, at), pair.slice(at + 1)];
        }),
    ),
  };
}

function machine(): string {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr.split('\n')[0];
  return `${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}, ${java}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const began = Date.now();
  const report = (line: string) => process.stderr.write(`[peers] ${line}\n`);
  report(`machine: ${machine()}`);
  const namespace = `peers${Date.now().toString(36)}`;
  const database = databaseFor(namespace);
  const services = await startPeerServices({ shared: options.shared, base: benchEnv(), namespace, database, report, workerEnv: options.workerEnv });
  // Kafka Connect and the private servers run detached, and the workers would outlive us: stop them on Ctrl-C too
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void services.close().finally(() => process.exit(130)));
  }
  const logger = createSilentLogger();
  const connected = await connectRunControl(workerEnvFor(services.env, namespace, database), logger, ['flights']);
  const mongo = await connectMongo({ url: services.env.mongoUrl, database });
  const kafka = createKafkaClient({ brokers: services.env.kafkaBrokers, clientId: 'bench-peers', logger });
  try {
    const source = { source: options.source, limit: String(options.records) };
    report(`reference run: ${options.records} records of ${options.source} through the three workers`);
    const reference = await connected.control.trigger({ pipeline: 'flights', params: source, requestedBy: 'bench:peers' });
    const run = await connected.control.waitForRun(reference.runId, { everyMs: 200, timeoutMs: 30 * 60_000 });
    if (run.status !== 'completed') throw new Error(`the reference run ended ${run.status}: ${run.failure?.message}`);
    const documents = await mongo.db.collection('flights').find({}).sort({ _id: 1 }).toArray();
    const staging = createMongoStagingStore(mongo.db);
    const transformedChunks: TrialContext['transformedChunks'] = [];
    for await (const chunk of staging.readChunks(run.runId, 'transformed')) transformedChunks.push({ chunkSeq: chunk.chunkSeq, payload: chunk.payload });
    const ctx: TrialContext = {
      services,
      db: mongo.db,
      kafka,
      control: connected.control,
      namespace,
      documents,
      documentJson: documents.map((doc) => ({ key: String(doc._id), value: Buffer.from(toRelaxedExtendedJson(doc)) })),
      referenceRunId: run.runId,
      transformedChunks,
      transformedTopic: topicNames(namespace).data('flights', 'transformed'),
      staging,
      source,
      watched: Object.values(services.watched),
    };

    const sink = (strategy: SinkStrategy, tasks: number): Contender => ({
      name: `Kafka Connect + MongoDB sink ${MONGO_SINK_CONNECTOR_VERSION}, ${strategy === 'insert' ? 'InsertOneDefaultStrategy' : 'ReplaceOneDefaultStrategy'}, tasks.max=${tasks}`,
      kind: 'sink',
      timeBoxed: strategy === 'replace',
      run: (round) => sinkTrial(ctx, { name: `${strategy}-t${tasks}-r${round}`, strategy, tasks, timeBoxMs: strategy === 'replace' ? options.replaceSeconds * 1000 : undefined }),
    });
    const all: Contender[] = [
      { name: 'raw: insertMany of the same documents (5,000 a call, unordered)', kind: 'raw', run: (round) => rawInsertMany(ctx, `raw_r${round}`) },
      // the sink writes one bulk per poll (max.poll.records 500): the same size through insertMany alone
      { name: 'raw: insertMany of the same documents (500 a call, unordered)', kind: 'raw-small', run: (round) => rawInsertMany(ctx, `raw500_r${round}`, 500) },
      { name: 'ours: loader stage alone (the run reopened, its transformed chunks produced again)', kind: 'loader', run: () => loaderAlone(ctx) },
      { name: 'ours: whole run, extract → transform → load (3 worker processes)', kind: 'whole', run: () => wholeRun(ctx) },
      sink('insert', 1),
      sink('insert', 2),
      sink('replace', 1),
      sink('replace', 2),
    ];
    const contenders = all.filter((c) => !options.only || options.only.has(c.kind));

    if (!options.smoke) {
      report('warm-up: one untimed trial of raw insertMany, the loader and the insert sink');
      for (const kind of ['raw', 'loader', 'sink'] as const) await contenders.find((c) => c.kind === kind)?.run(0);
    }

    const results = new Map<Contender, TrialResult[]>(contenders.map((c) => [c, []]));
    for (let round = 1; round <= options.rounds; round++) {
      // each round starts at a different contender: none is always first after a pause, or always after the slow ones
      const order = contenders.map((_, i) => contenders[(i + round - 1) % contenders.length]!);
      for (const contender of order) {
        const result = await contender.run(round);
        results.get(contender)!.push(result);
        report(`round ${round}/${options.rounds}: ${contender.name}: ${result.records} records in ${(result.ms / 1000).toFixed(1)} s`);
      }
    }

    const summaries = contenders.map((c) => summarize(c, results.get(c)!));
    const title = `${options.records.toLocaleString('en-US')} enriched flights (${options.source}), ${options.rounds} interleaved round(s), medians (min–max)`;
    console.log(table(title, ['what', 'records/s', 'min–max', 'seconds', 'records'], throughputRows(summaries, options.replaceSeconds)));
    console.log(table('CPU seconds per trial (median) of each process, from /proc; µs of CPU per record over all of them', ['what', 'extractor', 'transformer', 'loader', 'connect', 'bench', 'db', 'kafka', 'CPU µs/record'], resourceRows(summaries)));
    console.log(table('Peak RSS (MiB) of each process over all rounds of a contender', ['what', 'extractor', 'transformer', 'loader', 'connect', 'bench', 'db', 'kafka'], summaries.map((s) => [s.name, ...s.peakRssMiB])));
    console.log(table('Targets (issue 12)', ['ratio', 'measured', 'target', 'met'], ratioRows(summaries)));
    if (Object.keys(options.workerEnv).length) console.log(`\nworkers ran with ${Object.entries(options.workerEnv).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    console.log(`\nmachine: ${machine()}; services: ${options.shared ? 'the shared ones in the environment' : 'private Kafka and FerretDB, shared registry'}; ${((Date.now() - began) / 1000).toFixed(0)} s in all`);
  } finally {
    await mongo.db.dropDatabase().catch(() => undefined);
    await mongo.close();
    await connected.close();
    await services.close();
  }
}

/** Relaxed Extended JSON of a document as the Node driver read it: Dates as {"$date": ISO}, numbers as numbers. */
function toRelaxedExtendedJson(doc: Record<string, unknown>): string {
  return JSON.stringify(doc, function (this: Record<string, unknown>, key, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? { $date: raw.toISOString() } : value;
  });
}

runBench(main);
