/**
 * npm run bench:chunk-size — what one chunk costs at each stage, per record,
 * for several chunk sizes, on the real services. This is how the default
 * chunk size (5,000 records, ≤ 1 MiB) was chosen: see bench/README.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chunkSchema, valueSubject } from '@brokered-etl/contracts';
import { createAvroRegistry, createKafkaClient, createMessageProducer, ensureTopics } from '@brokered-etl/messaging';
import { createSilentLogger } from '@brokered-etl/observability';
import { vegaDataDir } from '@brokered-etl/pipeline-kit';
import { createFlightTransform, flightsPipeline, loadAirports, type RawFlight } from '@brokered-etl/pipelines/flights';
import { connectMongo, createMongoStagingStore, createMongoTargetWriter } from '@brokered-etl/staging';
import { benchEnv, runBench, table, timed } from './bench.env';

async function main() {
  const env = benchEnv();
  const sizes = (process.argv[2] ?? '500,1000,2500,5000,10000').split(',').map(Number);
  const tag = Date.now().toString(36);
  const logger = createSilentLogger();
  const kafka = createKafkaClient({ brokers: env.kafkaBrokers, clientId: 'bench', logger });
  const registry = createAvroRegistry({ url: env.schemaRegistryUrl });
  const producer = createMessageProducer(kafka);
  await producer.connect();
  const mongo = await connectMongo({ url: env.mongoUrl, database: `bench_${tag}` });
  const staging = createMongoStagingStore(mongo.db);
  const target = createMongoTargetWriter(mongo.db);
  const topic = `bench.${tag}.chunks`;
  await ensureTopics(kafka, [{ topic, partitions: 1 }]);

  const source = JSON.parse(readFileSync(join(vegaDataDir(), 'flights-20k.json'), 'utf8')) as Array<Record<string, unknown>>;
  const raw: RawFlight[] = source.map((r, i) => ({ sourceIndex: i, date: String(r['date']), delay: String(r['delay']), distance: String(r['distance']), origin: String(r['origin']), destination: String(r['destination']) }));
  const transform = createFlightTransform(await loadAirports());
  const rawId = await registry.ensureSchema(valueSubject(`${topic}.raw`), chunkSchema('BenchRaw', 'bench', flightsPipeline.extractedRecord));
  const outId = await registry.ensureSchema(valueSubject(`${topic}.out`), chunkSchema('BenchOut', 'bench', flightsPipeline.transformedRecord));

  const rows: Array<Array<string | number>> = [];
  for (const size of sizes) {
    const records = raw.slice(0, size);
    const per = (ms: number) => ((ms * 1000) / size).toFixed(1);
    const chunk = { runId: `bench-${size}`, pipeline: 'flights', chunkSeq: 0, firstRecordIndex: 0, records };
    const encodeRaw = await timed(() => registry.encode(rawId, chunk));
    const produce = await timed(() => producer.send(topic, [{ key: 'k', value: encodeRaw.value }]));
    const stageRaw = await timed(() => staging.stageChunk({ runId: chunk.runId, pipeline: 'flights', stage: 'extracted', chunkSeq: 0, firstRecordIndex: 0, recordCount: size, payload: encodeRaw.value, stagedAt: new Date() }));
    const decode = await timed(() => registry.decode(encodeRaw.value));
    const transformed = records.map((r) => transform(r, 'flights-20k.json'));
    const out = { ...chunk, records: transformed };
    const encodeOut = await timed(() => registry.encode(outId, out));
    const stageOut = await timed(() => staging.stageChunk({ runId: chunk.runId, pipeline: 'flights', stage: 'transformed', chunkSeq: 0, firstRecordIndex: 0, recordCount: size, payload: encodeOut.value, stagedAt: new Date() }));
    const docs = transformed.map((f) => flightsPipeline.target.documentOf(f));
    const insertNew = await timed(() => target.upsertMany(`t${size}`, docs));
    const replaceExisting = await timed(() => target.upsertMany(`t${size}`, docs));
    const total = encodeRaw.ms + produce.ms + stageRaw.ms + decode.ms + encodeOut.ms + stageOut.ms + insertNew.ms;
    rows.push([
      size,
      (encodeRaw.value.length / 1024).toFixed(0),
      (encodeOut.value.length / 1024).toFixed(0),
      per(encodeRaw.ms + decode.ms + encodeOut.ms),
      per(produce.ms),
      per(stageRaw.ms),
      per(stageOut.ms),
      per(insertNew.ms),
      per(replaceExisting.ms),
      per(total),
      Math.round((size * 1000) / total),
    ]);
  }
  console.log(
    table(
      `Cost of one chunk per record (µs/record), flights-20k records, ${env.mongoUrl}`,
      ['records/chunk', 'raw KiB', 'out KiB', 'avro enc+dec', 'produce', 'stage raw', 'stage out', 'load new', 'load again', 'total', 'records/s one lane'],
      rows,
    ),
  );
  await mongo.db.dropDatabase();
  await mongo.close();
  await producer.disconnect();
}

runBench(main);
