// temporary A/B (not committed): GET /runs/:id's reads, one after the other vs side by side, interleaved
import { createSilentLogger } from '@brokered-etl/observability';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { connectRunControl } from '@brokered-etl/run-control';
import { connectMongo, createMongoStagingStore } from '@brokered-etl/staging';
import { benchEnv, runBench, table } from './bench.env';

const q = (ms: number[], p: number) => [...ms].sort((a, b) => a - b)[Math.floor(p * ms.length)]!.toFixed(2);
runBench(async () => {
  const env = benchEnv();
  const tag = `revab${Date.now().toString(36)}`;
  const connected = await connectRunControl({ KAFKA_BROKERS: env.kafkaBrokers, SCHEMA_REGISTRY_URL: env.schemaRegistryUrl, MONGO_URL: env.mongoUrl, MONGO_DB: tag, ETL_NAMESPACE: tag, LOG_LEVEL: 'warn', LOG_FORMAT: 'json' }, createSilentLogger(), PIPELINES.map((p) => p.name), { producer: false });
  const { control } = connected;
  const mongo = await connectMongo({ url: env.mongoUrl, database: tag });
  const staging = createMongoStagingStore(mongo.db);
  await staging.ensureIndexes();
  const at = new Date();
  for (let i = 0; i < 50; i++) {
    const runId = `flights.ab.${i}`;
    await staging.createRun({ runId, pipeline: 'flights', params: {}, requestedBy: 'ab', status: 'requested', requestedAt: at });
    await staging.markChunk(runId, 0, { extracted: { records: 2000, at }, transformed: { records: 1998, rejected: 2, at }, loaded: { records: 1998, at } });
    await staging.recordRejections([0, 1].map((k) => ({ id: `${runId}:0:${k}`, runId, stage: 'transformer', chunkSeq: 0, recordIndex: k, errorCode: 'VALIDATION_FAILED', reason: 'x', record: '{}', rejectedAt: at }) as never));
  }
  const seq: number[] = [];
  const par: number[] = [];
  for (let i = 0; i < 300; i++) {
    const id = `flights.ab.${i % 50}`;
    let t = performance.now();
    const run = await control.describeRun(id);
    if (run) await control.listRejections(run.runId);
    seq.push(performance.now() - t);
    t = performance.now();
    await Promise.all([control.describeRun(id), control.listRejections(id)]);
    par.push(performance.now() - t);
  }
  console.log(table('GET /runs/:id reads (ms, 300 interleaved pairs)', ['reads', 'p50', 'p95'], [['one after the other', q(seq, 0.5), q(seq, 0.95)], ['side by side', q(par, 0.5), q(par, 0.95)]]));
  await mongo.db.dropDatabase();
  await mongo.close();
  await connected.close();
});
