/**
 * npm run bench:pipeline -- [source] [limit] — one whole run (of the first `limit` records, a slice, when given) through the three stage
 * workers (in this process, real services), then the raw limits measured in
 * the same run on the same bytes and documents: kafkajs produce + consume of
 * the run's chunk messages, and insertMany of its target documents.
 */
import { createKafkaClient, createMessageProducer, ensureTopics } from '@brokered-etl/messaging';
import { createSilentLogger } from '@brokered-etl/observability';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { connectRunControl } from '@brokered-etl/run-control';
import { workerEnvFor } from '@brokered-etl/testing';
import { connectMongo } from '@brokered-etl/staging';
import { startAllStages } from '@brokered-etl/worker/testing';
import { benchEnv, runBench, table, timed } from './bench.env';

async function main() {
  const source = process.argv[2] ?? 'flights-20k.json';
  const limit = process.argv[3];
  const env = benchEnv();
  const tag = `bench${Date.now().toString(36)}`;
  const logger = createSilentLogger();
  const stages = await startAllStages({ env, namespace: tag, database: tag, logger });
  const connected = await connectRunControl(workerEnvFor(env, tag, tag), logger, PIPELINES.map((p) => p.name));
  const memory: number[] = [];
  const sampler = setInterval(() => memory.push(process.memoryUsage().rss), 500);

  const request = await connected.control.trigger({ pipeline: 'flights', params: { source, ...(limit ? { limit } : {}) }, requestedBy: 'bench' });
  const run = await connected.control.waitForRun(request.runId, { timeoutMs: 60 * 60_000, everyMs: 250 });
  clearInterval(sampler);
  const runSeconds = (run.finishedAt!.getTime() - run.startedAt!.getTime()) / 1000;
  const records = run.counts!.loaded;

  // raw limit 1: the same chunk bytes through kafkajs alone
  const payloads: Buffer[] = [];
  for await (const chunk of stages.staging.readChunks(run.runId, 'transformed')) payloads.push(chunk.payload);
  const bytes = payloads.reduce((sum, p) => sum + p.length, 0);
  const kafka = createKafkaClient({ brokers: env.kafkaBrokers, clientId: 'bench-raw', logger });
  const rawTopic = `${tag}.raw`;
  await ensureTopics(kafka, [{ topic: rawTopic, partitions: 6 }]);
  const producer = createMessageProducer(kafka);
  await producer.connect();
  const produce = await timed(async () => {
    for (const [i, value] of payloads.entries()) await producer.send(rawTopic, [{ key: String(i), value }]);
  });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `${tag}.raw` });
  await consumer.connect();
  await consumer.subscribe({ topic: rawTopic, fromBeginning: true });
  let seen = 0;
  const consume = await timed(
    () =>
      new Promise<void>((resolve) => {
        void consumer.run({ eachMessage: async () => void (++seen === payloads.length && resolve()) });
      }),
  );
  await consumer.disconnect();

  // raw limit 2: the run's target documents written again with insertMany alone
  const mongo = await connectMongo({ url: env.mongoUrl, database: tag });
  // read in batches between the timed inserts: 3M documents do not fit one array
  let inserted = 0;
  let insertMs = 0;
  const cursor = mongo.db.collection('flights').find({}, { batchSize: 5000 });
  for (let batch: unknown[] = []; ; batch = []) {
    for (let doc; batch.length < 5000 && (doc = await cursor.next()); ) batch.push(doc);
    if (batch.length === 0) break;
    insertMs += (await timed(() => mongo.db.collection('flights_raw').insertMany(batch as never[], { ordered: false }))).ms;
    inserted += batch.length;
  }
  const insert = { ms: insertMs };
  const docs = { length: inserted };

  const rate = (n: number, ms: number) => Math.round((n * 1000) / ms).toLocaleString('en-US');
  console.log(
    table(
      `flights run over ${source}${limit ? ` (first ${Number(limit).toLocaleString('en-US')})` : ''}: ${records.toLocaleString('en-US')} records, ${payloads.length} chunks, ${(bytes / 1048576).toFixed(1)} MiB transformed Avro`,
      ['what', 'seconds', 'records/s', 'MiB/s'],
      [
        ['whole run: extract → transform → load (3 workers, 1 process)', runSeconds.toFixed(1), rate(records, runSeconds * 1000), (bytes / 1048576 / runSeconds).toFixed(1)],
        ['raw: kafkajs produce of the same chunk bytes (acks=all)', (produce.ms / 1000).toFixed(1), rate(records, produce.ms), (bytes / 1048576 / (produce.ms / 1000)).toFixed(1)],
        ['raw: kafkajs consume of the same chunk bytes', (consume.ms / 1000).toFixed(1), rate(records, consume.ms), (bytes / 1048576 / (consume.ms / 1000)).toFixed(1)],
        ['raw: insertMany of the same target documents (5,000 a batch)', (insert.ms / 1000).toFixed(1), rate(docs.length, insert.ms), '-'],
      ],
    ),
  );
  console.log(`\npeak RSS of this process (all three workers): ${(Math.max(...memory) / 1048576).toFixed(0)} MiB`);

  await mongo.db.dropDatabase();
  await mongo.close();
  await connected.close();
  await stages.stop();
}

runBench(main);
