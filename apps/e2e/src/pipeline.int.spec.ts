import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Kafka } from 'kafkajs';
import type { MongoClient } from 'mongodb';
import type { DeadLetter } from '@brokered-etl/contracts';
import { createAvroRegistry, createKafkaClient, createMessageProducer } from '@brokered-etl/messaging';
import type { ConnectedRunControl } from '@brokered-etl/run-control';
import { appEnvFor, REPO_ROOT, uniqueName, waitFor } from '@brokered-etl/testing';
import type { TestStages } from '@brokered-etl/worker/testing';
import { writePatchedFlights } from './support/flights-fixtures';
import { createPipelineEnv } from './support/pipeline-env';

/**
 * The product end to end on real services: a flights run over a vega-datasets
 * file with records corrupted on purpose, through the three stage workers.
 */
describe('flights pipeline end to end (real Kafka, registry, MongoDB)', () => {
  const pipeline = createPipelineEnv('it-e2e');
  const { env, namespace, database, topics, logger } = pipeline;
  let stages: TestStages;
  let control: ConnectedRunControl;
  let mongo: MongoClient;

  // flights-2k.json with five records broken in the ways real feeds break
  const corrupt: Record<number, Record<string, unknown>> = {
    3: { origin: 'ZZZ' },
    500: { destination: 'QQQ' },
    999: { date: '2001/13/45 99:99' },
    1500: { delay: 'late' },
    1998: { distance: null },
  };
  const source = writePatchedFlights('flights-2k-corrupt.json', corrupt);
  const rejectedIndexes = Object.keys(corrupt).map(Number);
  // the file's path inside its source root (the temp folder, one of every spec's roots) names it in the keys
  const sourceId = `${basename(dirname(source))}/flights-2k-corrupt.json`;

  beforeAll(async () => {
    ({ stages, connected: control, mongo } = await pipeline.start());
  });
  afterAll(() => pipeline.close());

  async function deadLetters(): Promise<DeadLetter[]> {
    const kafka: Kafka = createKafkaClient({ brokers: env.kafkaBrokers, clientId: 'it-dlq-reader', logger });
    const registry = createAvroRegistry({ url: env.schemaRegistryUrl });
    const consumer = kafka.consumer({ groupId: uniqueName('it-dlq') });
    const letters: DeadLetter[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: topics.dlq, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void letters.push(await registry.decode<DeadLetter>(message.value)) });
    const admin = kafka.admin();
    await admin.connect();
    const total = (await admin.fetchTopicOffsets(topics.dlq)).reduce((sum, p) => sum + Number(p.high), 0);
    await admin.disconnect();
    await waitFor(`${total} dead letters`, () => letters.length >= total);
    await consumer.disconnect();
    return letters;
  }

  it('completes a run; target = source − rejected, enriched; counts add up; rejects are dead letters with reasons', async () => {
    const request = await control.control.trigger({ pipeline: 'flights', params: { source }, requestedBy: 'test' });
    const run = await control.control.waitForRun(request.runId, { timeoutMs: 180_000 });
    expect(run.status).toBe('completed');
    expect(run.counts).toMatchObject({ extracted: 2000, transformed: 1995, rejected: 5, loaded: 1995 });
    expect(run.counts!.transformed + run.counts!.rejected).toBe(run.counts!.extracted);

    const target = mongo.db(database).collection('flights');
    expect(await target.countDocuments()).toBe(2000 - rejectedIndexes.length);
    const sample = await target.findOne({ _id: `${sourceId}:0` as never });
    expect(sample).toMatchObject({ route: 'LAX-BNA', origin: { iata: 'LAX', city: 'Los Angeles' }, destination: { iata: 'BNA' }, delayClass: 'early' });
    expect(await target.countDocuments({ _id: { $in: rejectedIndexes.map((i) => `${sourceId}:${i}`) } as never })).toBe(0);

    const letters = (await deadLetters()).filter((l) => l.runId === request.runId);
    expect(letters.map((l) => l.recordIndex).sort((a, b) => a! - b!)).toEqual(rejectedIndexes);
    expect(letters.find((l) => l.recordIndex === 3)?.errorMessage).toMatch(/origin airport "ZZZ"/);
    expect(letters.find((l) => l.recordIndex === 1500)?.errorMessage).toMatch(/delay "late"/);
    expect(letters.every((l) => l.errorCode === 'VALIDATION_FAILED' && l.value !== null)).toBe(true);
  });

  it('the same trigger twice (same run id) and redelivered chunks never duplicate documents or counts', async () => {
    const runId = uniqueName('twice');
    await control.control.trigger({ pipeline: 'flights', params: { source: 'flights-2k.json' }, runId, requestedBy: 'test' });
    const first = await control.control.waitForRun(runId, { timeoutMs: 180_000 });
    await control.control.trigger({ pipeline: 'flights', params: { source: 'flights-2k.json' }, runId, requestedBy: 'test' });

    // redeliver every transformed chunk of the run, as a crash before commit would
    const producer = createMessageProducer(createKafkaClient({ brokers: env.kafkaBrokers, clientId: 'it-redeliver', logger }));
    await producer.connect();
    for await (const chunk of stages.staging.readChunks(runId, 'transformed')) {
      await producer.send(topics.data('flights', 'transformed'), [{ key: `${runId}:${chunk.chunkSeq}`, value: chunk.payload }]);
    }
    await producer.disconnect();
    await stages.waitIdle();

    const again = await control.control.describeRun(runId);
    expect(again?.counts).toEqual(first.counts);
    expect(await mongo.db(database).collection('flights').countDocuments({ '_lineage.runId': runId })).toBe(2000);
  });

  it('dead-letters poisoned messages on every stage topic and keeps the partitions moving', async () => {
    const kafka = createKafkaClient({ brokers: env.kafkaBrokers, clientId: 'it-poison', logger });
    const producer = createMessageProducer(kafka);
    await producer.connect();
    const unknownSchema = Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 2, 4]);
    const poisoned = [topics.trigger, topics.splits, topics.data('flights', 'extracted'), topics.data('flights', 'transformed')];
    for (const topic of poisoned) {
      // same key on every partition-choosing send: the poison lands before the good message below
      await producer.sendRaw(topic, [
        { key: 'poison', value: Buffer.from('{"not":"avro"}') },
        { key: 'poison', value: unknownSchema },
      ]);
    }
    await producer.disconnect();
    const request = await control.control.trigger({ pipeline: 'flights', params: { source: 'flights-2k.json' }, requestedBy: 'test' });
    expect((await control.control.waitForRun(request.runId, { timeoutMs: 180_000 })).status).toBe('completed');

    const letters = await waitFor('eight poison dead letters', async () => {
      const found = (await deadLetters()).filter((l) => l.key?.toString() === 'poison');
      return found.length >= 8 ? found : undefined;
    }, 60_000);
    for (const topic of poisoned) {
      expect(letters.filter((l) => l.topic === topic).map((l) => l.errorCode).sort()).toEqual(['DECODE_FAILED', 'SCHEMA_UNKNOWN']);
    }
    expect(letters.find((l) => l.errorCode === 'DECODE_FAILED')?.value?.toString()).toBe('{"not":"avro"}');
  });

  it('an unknown pipeline fails its run with a reason and is dead-lettered, not crash-looped', async () => {
    const producer = createMessageProducer(createKafkaClient({ brokers: env.kafkaBrokers, clientId: 'it-unknown', logger }));
    await producer.connect();
    const registry = createAvroRegistry({ url: env.schemaRegistryUrl });
    const runId = uniqueName('nope');
    const schemaId = await stages.schemaIdOf('trigger');
    await producer.send(topics.trigger, [{ key: runId, value: await registry.encode(schemaId, { runId, pipeline: 'nope', params: {}, requestedAt: new Date(), requestedBy: 'test' }) }]);
    await producer.disconnect();
    const run = await control.control.waitForRun(runId, { timeoutMs: 60_000 });
    expect(run.status).toBe('failed');
    expect(run.failure).toMatchObject({ code: 'UNKNOWN_PIPELINE' });
    expect(run.failure?.message).toMatch(/unknown pipeline "nope"/);
  });

  it('etl trigger --wait: an unreadable source fails the run with the reason and exits 1; a missing one is refused (2); a good run exits 0 with counts', async () => {
    // async: the stage workers run in this process and must keep running while the CLI waits
    const etl = (...args: string[]) =>
      new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [join(REPO_ROOT, 'apps/cli/bin/etl.js'), ...args],
          {
            cwd: REPO_ROOT,
            timeout: 120_000,
            env: { ...process.env, ...appEnvFor(env, namespace, database) },
          },
          (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? -1) : 0, stdout, stderr }),
        );
      });
    const broken = join(mkdtempSync(join(tmpdir(), 'etl-cli-')), 'broken.json');
    writeFileSync(broken, '[{"date": "2001/01/01 06:55", "delay": 1');
    const failed = await etl('trigger', 'flights', '--param', `source=${broken}`, '--wait');
    expect(failed.status).toBe(1);
    expect(failed.stdout).toMatch(/status\s+failed\s+\(SOURCE_UNREADABLE: .*broken\.json/);
    // a file that is not there is refused as the run is requested: no run, no message
    const missing = await etl('trigger', 'flights', '--param', 'source=no-such-file.json', '--wait');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/BAD_PARAMS: param "source": no file "no-such-file.json"/);

    const good = await etl('trigger', 'flights', '--param', 'source=flights-2k.json', '--wait', '--json');
    expect(good.status).toBe(0);
    const run = JSON.parse(good.stdout) as { status: string; counts: { extracted: number; loaded: number; rejected: number } };
    expect(run).toMatchObject({ status: 'completed', counts: { extracted: 2000, loaded: 2000, rejected: 0 } });

    const unknown = await etl('trigger', 'flightz');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/UNKNOWN_PIPELINE: unknown pipeline "flightz"; known: flights, airports/);
    expect((await etl('trigger', 'flights', '--param', 'oops')).status).toBe(2);
    expect((await etl('runs', 'show', 'no-such-run')).status).toBe(3);
    expect((await etl('replay', '--stage', 'transformer')).status).toBe(2);
  });
});
