import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { MongoClient } from 'mongodb';
import type { DeadLetter } from '@brokered-etl/contracts';
import { createAvroRegistry, createKafkaClient } from '@brokered-etl/messaging';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import type { ConnectedRunControl } from '@brokered-etl/run-control';
import { REPO_ROOT, uniqueName, waitFor } from '@brokered-etl/testing';
import { createPipelineEnv } from './support/pipeline-env';

/**
 * The declared example, pipelines/movies.yaml, through the same three stage
 * workers as the code pipelines (real Kafka, registry and MongoDB): it is in
 * the catalog because the file is in the pipelines folder, nothing else.
 */
describe('declarative pipeline pipelines/movies.yaml end to end', () => {
  const pipeline = createPipelineEnv('it-declared');
  const { env, database, topics, logger } = pipeline;
  let control: ConnectedRunControl;
  let mongo: MongoClient;
  let runId: string;

  // vega-datasets movies.json: 3,201 films; 1 without a title, 24 released "after 2010" (years like 2046), 5 more without a US gross
  const EXTRACTED = 3201;
  const REJECTED = 30;

  beforeAll(async () => {
    ({ connected: control, mongo } = await pipeline.start());
  });
  afterAll(() => pipeline.close());

  async function target(): Promise<{ ids: string[]; hash: string }> {
    const docs = await mongo.db(database).collection('movies').find({}, { projection: { _lineage: 0 } }).sort({ _id: 1 }).toArray();
    return { ids: docs.map((d) => String(d._id)), hash: createHash('sha256').update(JSON.stringify(docs)).digest('hex') };
  }

  /** The run's dead letters, read from the DLQ topic from the beginning. */
  async function deadLettersOf(run: string, expected: number): Promise<DeadLetter[]> {
    const kafka = createKafkaClient({ brokers: env.kafkaBrokers, clientId: 'it-declared-dlq', logger });
    const registry = createAvroRegistry({ url: env.schemaRegistryUrl });
    const consumer = kafka.consumer({ groupId: uniqueName('it-declared-dlq') });
    const letters: DeadLetter[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: topics.dlq, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void letters.push(await registry.decode<DeadLetter>(message.value)) });
      await waitFor(`${expected} dead letters of ${run}`, () => letters.filter((l) => l.runId === run).length >= expected, 60_000);
    } finally {
      await consumer.disconnect();
    }
    return letters.filter((l) => l.runId === run);
  }

  it('is hosted like a code pipeline', () => {
    expect(PIPELINES.map((p) => p.name)).toEqual(expect.arrayContaining(['flights', 'airports', 'movies']));
  });

  it('completes a run: counts add up, documents by natural key, typed and nested; rejects carry their reasons', async () => {
    runId = (await control.control.trigger({ pipeline: 'movies', params: {}, requestedBy: 'test' })).runId;
    const run = await control.control.waitForRun(runId, { timeoutMs: 180_000 });
    expect(run.status).toBe('completed');
    expect(run.counts).toMatchObject({ extracted: EXTRACTED, transformed: EXTRACTED - REJECTED, rejected: REJECTED, loaded: EXTRACTED - REJECTED });

    const movies = mongo.db(database).collection('movies');
    expect(await movies.countDocuments()).toBe(EXTRACTED - REJECTED);
    expect(await movies.findOne({ _id: 'The Land Girls (1998-06-12)' as never })).toMatchObject({
      title: 'The Land Girls',
      released: new Date('1998-06-12T00:00:00Z'),
      mpaaRating: 'R',
      genre: null,
      distributor: 'Gramercy',
      budget: 8_000_000,
      gross: { us: 146_083, worldwide: 146_083 },
      ratings: { imdb: 6.1, imdbVotes: 1071, rottenTomatoes: null },
      _lineage: { runId },
    });
    // a numeric title in the source is text in the target; remakes keep apart by release date
    expect(await movies.findOne({ _id: '1776 (1972-11-09)' as never })).toMatchObject({ title: '1776', runningMinutes: null });

    const rejections = await control.control.listRejections(runId);
    expect(rejections).toHaveLength(REJECTED);
    expect(rejections.every((r) => r.errorCode === 'VALIDATION_FAILED' && r.stage === 'transformer')).toBe(true);
    const reasons = rejections.map((r) => r.reason);
    expect(reasons.filter((r) => r === 'Title is missing')).toHaveLength(1);
    expect(reasons.filter((r) => r === 'US Gross is missing')).toHaveLength(5);
    expect(reasons).toContain('Release Date Dec 31 2046 is after 2010, when the data set was compiled');
    expect(JSON.parse(rejections.find((r) => r.reason === 'Title is missing')!.record)).toMatchObject({ title: null, releaseDate: 'Nov 03 2006' });

    // each reject is also a dead letter carrying just its record, ready for `etl dlq redrive`
    const letters = await deadLettersOf(runId, REJECTED);
    expect(letters).toHaveLength(REJECTED);
    expect(letters.every((l) => l.errorCode === 'VALIDATION_FAILED' && l.value !== null)).toBe(true);
    expect(letters.map((l) => l.errorMessage).sort()).toEqual([...reasons].sort());
  }, 240_000);

  it('a rerun from transform, then from load, completes again and leaves the same keys and content', async () => {
    // a slice of the file, run again over the documents the whole run loaded: every load of it replaces what is there
    // (the first 400 records: 16 of them rejected), so each rerun costs its 384 replaces, not the file's 3,171
    const slice = (await control.control.trigger({ pipeline: 'movies', params: { limit: '400' }, requestedBy: 'test' })).runId;
    expect(await control.control.waitForRun(slice, { timeoutMs: 180_000 })).toMatchObject({ status: 'completed', counts: { extracted: 400 } });
    const before = await target();
    expect(before.ids).toHaveLength(EXTRACTED - REJECTED);
    for (const [from, generation] of [['transform', 1], ['load', 2]] as const) {
      await control.control.rerun(slice, from);
      // on a busy machine a rerun can take minutes: wait long, and say where it stood if it never ends
      let last: Awaited<ReturnType<typeof control.control.describeRun>>;
      const rerun = await control.control.waitForRun(slice, { timeoutMs: 240_000, onProgress: (run) => (last = run) }).catch((err: Error) => {
        throw new Error(`rerun from ${from}: ${err.message}; last seen ${JSON.stringify({ generation: last?.generation, counts: last?.counts })}`);
      });
      expect(rerun).toMatchObject({ status: 'completed', generation, counts: { extracted: 400, loaded: rerun.counts!.transformed } });
      expect(await target()).toEqual(before);
    }
  }, 600_000);

  it('etl pipelines lists it and shows its params and target', async () => {
    const etl = (...args: string[]) =>
      new Promise<{ status: number; stdout: string }>((resolve) => {
        execFile(process.execPath, [join(REPO_ROOT, 'apps/cli/bin/etl.js'), ...args], { cwd: REPO_ROOT, timeout: 60_000 }, (error, stdout) =>
          resolve({ status: error ? Number(error.code ?? 1) : 0, stdout }),
        );
      });
    const list = await etl('pipelines', 'list');
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/^movies\s+Films from vega-datasets movies\.json/m);
    const show = await etl('pipelines', 'show', 'movies');
    expect(show.status).toBe(0);
    expect(show.stdout).toContain('target collection: movies');
    expect(show.stdout).toMatch(/--param source=…[\s\S]*default movies\.json/);
  });
});
