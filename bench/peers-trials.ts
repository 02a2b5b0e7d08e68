import { ensureTopics, describeGroup, createMessageProducer, type Kafka } from '@brokered-etl/messaging';
import { HEADERS } from '@brokered-etl/contracts';
import type { RunControl } from '@brokered-etl/run-control';
import type { connectMongo, StagingStore } from '@brokered-etl/staging';
import { watchUsage, type Usage, type Watched } from './peers-proc';
import type { PeerServices } from './peers-setup';

/**
 * One measurement of each contender. Every contender starts warm (workers in
 * their groups, the connector's tasks in theirs), writes the same documents
 * into an empty collection of the same database, and is timed from the
 * moment it is handed the data to the moment the last document is there.
 */
export interface TrialResult {
  records: number;
  ms: number;
  usage: Usage;
}

export interface TrialContext {
  services: PeerServices;
  db: Db;
  kafka: Kafka;
  control: RunControl;
  namespace: string;
  /** The documents our loader wrote in the reference run, and the same as relaxed Extended JSON for the sink. */
  documents: Array<Record<string, unknown>>;
  documentJson: Array<{ key: string; value: Buffer }>;
  /** Run whose transformed chunks the loader-alone trial re-emits, their bytes as staged, and the loader's topic. */
  referenceRunId: string;
  transformedChunks: Array<{ chunkSeq: number; payload: Buffer }>;
  transformedTopic: string;
  staging: StagingStore;
  source: Record<string, string>;
  watched: Watched[];
}

export const SINK_STRATEGIES = {
  insert: 'com.mongodb.kafka.connect.sink.writemodel.strategy.InsertOneDefaultStrategy',
  replace: 'com.mongodb.kafka.connect.sink.writemodel.strategy.ReplaceOneDefaultStrategy',
} as const;
export type SinkStrategy = keyof typeof SINK_STRATEGIES;

/** The driver's Db as the staging lib hands it out (only libs/staging imports mongodb). */
type Db = Awaited<ReturnType<typeof connectMongo>>['db'];

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function measured(ctx: TrialContext, work: () => Promise<{ records: number; endedAt?: number }>, startedAt = () => Date.now()): Promise<TrialResult> {
  const usage = watchUsage(ctx.watched);
  const t0 = startedAt();
  const { records, endedAt } = await work();
  const ms = (endedAt ?? Date.now()) - t0;
  return { records, ms, usage: usage.stop() };
}

/** What the run's counts claim must be in the target (a loader that skipped a chunk would still count it): checked outside the clock. */
async function checkTarget(ctx: TrialContext, result: TrialResult): Promise<TrialResult> {
  const present = await ctx.db.collection('flights').estimatedDocumentCount();
  if (present !== result.records) throw new Error(`the run counted ${result.records} records loaded, the target holds ${present}`);
  return result;
}

async function dropCollection(db: Db, name: string): Promise<void> {
  if ((await db.listCollections({ name }).toArray()).length) await db.collection(name).drop();
}

/**
 * Every collection but staging's: the target and whatever the loader keeps
 * beside it (a digest of each loaded chunk lets it skip a chunk it already
 * wrote), so each trial is a first load, as for the other contenders.
 */
export async function emptyTargetSide(db: Db, how: 'drop' | 'delete' = 'drop'): Promise<void> {
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    if (name.startsWith('staging.')) continue;
    if (how === 'drop') await db.collection(name).drop();
    else await db.collection(name).deleteMany({});
  }
}

/** The documents written with insertMany alone, batchSize a call (our chunk: 5,000), unordered: the database's limit for them. */
export async function rawInsertMany(ctx: TrialContext, collection: string, batchSize = 5000): Promise<TrialResult> {
  await dropCollection(ctx.db, collection);
  const result = await measured(ctx, async () => {
    let records = 0;
    for (let i = 0; i < ctx.documents.length; i += batchSize) {
      records += (await ctx.db.collection(collection).insertMany(ctx.documents.slice(i, i + batchSize), { ordered: false })).insertedCount;
    }
    return { records };
  });
  await dropCollection(ctx.db, collection);
  return result;
}

/**
 * Our loader alone: the reference run reopened (as `etl rerun --from load`
 * does) and its transformed chunk messages, held in memory, produced again
 * into the loader's topic; timed until the loader completes the run. Not
 * rerun itself: that reads the chunks back from staging, which FerretDB does
 * by scanning every staged chunk of every run, and is not the loader's work.
 */
export async function loaderAlone(ctx: TrialContext): Promise<TrialResult> {
  await emptyTargetSide(ctx.db);
  const producer = createMessageProducer(ctx.kafka);
  await producer.connect();
  try {
    const result = await measured(ctx, async () => {
      const runId = ctx.referenceRunId;
      const generation = await ctx.staging.reopenRun(runId, new Date());
      for (const chunk of ctx.transformedChunks) {
        await producer.send(ctx.transformedTopic, [
          {
            key: `${runId}:${chunk.chunkSeq}`,
            value: chunk.payload,
            headers: {
              [HEADERS.runId]: runId,
              [HEADERS.pipeline]: 'flights',
              [HEADERS.chunkSeq]: String(chunk.chunkSeq),
              [HEADERS.replayOf]: `rerun:load:${generation}`,
              [HEADERS.generation]: String(generation),
              [HEADERS.producedBy]: 'bench:peers',
            },
          },
        ]);
      }
      const run = await ctx.control.waitForRun(runId, { everyMs: 100, timeoutMs: 30 * 60_000 });
      if (run.status !== 'completed') throw new Error(`loader rerun of ${run.runId} ended ${run.status}: ${run.failure?.message}`);
      return { records: run.counts!.loaded, endedAt: run.finishedAt!.getTime() };
    });
    return await checkTarget(ctx, result);
  } finally {
    await producer.disconnect();
  }
}

/** Our whole pipeline: a new run of the same source, trigger → completed, into an empty target. */
export async function wholeRun(ctx: TrialContext): Promise<TrialResult> {
  await emptyTargetSide(ctx.db);
  const result = await measured(ctx, async () => {
    const request = await ctx.control.trigger({ pipeline: 'flights', params: ctx.source, requestedBy: 'bench:peers' });
    const run = await ctx.control.waitForRun(request.runId, { everyMs: 100, timeoutMs: 30 * 60_000 });
    if (run.status !== 'completed') throw new Error(`run ${run.runId} ended ${run.status}: ${run.failure?.message}`);
    return { records: run.counts!.loaded, endedAt: run.finishedAt!.getTime() };
  });
  return checkTarget(ctx, result);
}

export function sinkConfig(ctx: TrialContext, options: { topic: string; collection: string; strategy: SinkStrategy; tasks: number }): Record<string, string> {
  return {
    'connector.class': 'com.mongodb.kafka.connect.MongoSinkConnector',
    'tasks.max': String(options.tasks),
    topics: options.topic,
    'connection.uri': ctx.services.env.mongoUrl,
    database: ctx.db.databaseName,
    collection: options.collection,
    // each value is one document as relaxed Extended JSON: dates stay BSON dates, as our loader writes them
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    // keep our deterministic _id; without overwrite.existing the sink logs a warning per record that already has one
    'document.id.strategy': 'com.mongodb.kafka.connect.sink.processor.id.strategy.ProvidedInValueStrategy',
    'document.id.strategy.overwrite.existing': 'true',
    'writemodel.strategy': SINK_STRATEGIES[options.strategy],
  };
}

/**
 * MongoDB's sink connector: a connector on a topic of its own, its tasks
 * joined and idle; then the documents are produced and the clock runs until
 * the sink has written them all, or until timeBoxMs (the replace strategy on
 * FerretDB writes a few dozen a second: its rate is what it wrote in the box).
 * What it has written is read from its group's committed offsets (a sink
 * commits only what put() wrote; the worker commits every 50 ms here):
 * counting documents would cost FerretDB a full scan (~5 s for 20,000) each
 * time. A time box ends with a count: the few hundred documents are cheap to scan.
 */
export async function sinkTrial(ctx: TrialContext, options: { name: string; strategy: SinkStrategy; tasks: number; timeBoxMs?: number }): Promise<TrialResult> {
  const topic = `${ctx.namespace}.peers.${options.name}`;
  const collection = `sink_${options.name.replace(/[^a-z0-9]/gi, '_')}`;
  await ensureTopics(ctx.kafka, [{ topic, partitions: 6 }]);
  await dropCollection(ctx.db, collection);
  const connect = ctx.services.connect;
  if (!connect) throw new Error('the sink trial needs Kafka Connect: start the services without withoutConnect');
  const connector = `${ctx.namespace}-${options.name}`;
  const groupId = `connect-${connector}`;
  await connect.createConnector(connector, sinkConfig(ctx, { topic, collection, strategy: options.strategy, tasks: options.tasks }));
  const admin = ctx.kafka.admin();
  await admin.connect();
  const producer = createMessageProducer(ctx.kafka);
  await producer.connect();
  try {
    // a sink task's consumer is in its group once the group is stable with one member per task
    const deadline = Date.now() + 60_000;
    for (;;) {
      const group = await describeGroup(ctx.kafka, groupId);
      if (group.state === 'Stable' && group.members.length === options.tasks) break;
      if (Date.now() > deadline) throw new Error(`connector ${connector}: its consumer group is ${group.state} with ${group.members.length} members after 60 s`);
      await delay(200);
    }
    // committed offsets of a fresh topic: how many records the sink has written
    const written = async () => {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    };
    const wanted = ctx.documentJson.length;
    return await measured(ctx, async () => {
      const started = Date.now();
      for (let i = 0; i < wanted; i += 1000) await producer.sendRaw(topic, ctx.documentJson.slice(i, i + 1000));
      for (;;) {
        const records = await written();
        if (records >= wanted) return { records };
        if (options.timeBoxMs !== undefined && Date.now() - started >= options.timeBoxMs) {
          // offsets move a whole poll (500 records) at a time; a few hundred documents are cheap to count
          const endedAt = Date.now();
          return { records: await ctx.db.collection(collection).countDocuments(), endedAt };
        }
        await delay(25);
      }
    });
  } finally {
    await producer.disconnect();
    await admin.disconnect();
    await connect.deleteConnector(connector);
    await dropCollection(ctx.db, collection);
  }
}
