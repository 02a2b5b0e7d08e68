import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { MongoClient } from 'mongodb';
import type { ConnectedRunControl } from '@brokered-etl/run-control';
import type { TestStages } from '@brokered-etl/worker/testing';
import { writeAirportsSlice } from './support/airports-fixtures';
import { readFlights, type FlightRecord } from './support/flights-fixtures';
import { createPipelineEnv } from './support/pipeline-env';

/**
 * Reloading an unchanged source skips its chunks at extraction
 * (docs/staging.md, "Unchanged input"): nothing is staged, sent or written
 * again, the run still counts and completes, and the target stays exactly as
 * it was. What changed goes through: an edited record's chunk, and every chunk
 * when the reference data the transform reads changed.
 */
describe('unchanged input skipped at extraction (real Kafka, registry, MongoDB)', () => {
  const pipeline = createPipelineEnv('it-unchanged');
  const { database } = pipeline;
  const dir = mkdtempSync(join(tmpdir(), 'etl-unchanged-'));
  const source = join(dir, 'flights-6k.json');
  // 6,000 records: two flights chunks (5,000 + 1,000)
  const flights: FlightRecord[] = [...readFlights(), ...readFlights(), ...readFlights()];
  const airports = writeAirportsSlice(3376, 'etl-unchanged-airports-').source;
  let stages: TestStages;
  let control: ConnectedRunControl;
  let mongo: MongoClient;

  beforeAll(async () => {
    writeFileSync(source, JSON.stringify(flights));
    ({ stages, connected: control, mongo } = await pipeline.start());
  }, 120_000);
  afterAll(async () => {
    await pipeline.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const target = () => mongo.db(database).collection<{ _id: string; _lineage: { runId: string } }>('flights');
  /** The target's documents by id, content only (lineage says which run wrote them), as digests. */
  async function contentById(): Promise<Map<string, string>> {
    const docs = await target().find({}).toArray();
    return new Map(docs.map(({ _lineage, ...doc }) => [doc._id, createHash('sha256').update(JSON.stringify(doc)).digest('hex')]));
  }

  async function load() {
    const { runId } = await control.control.trigger({ pipeline: 'flights', params: { source, airports }, requestedBy: 'test' });
    const run = await control.control.waitForRun(runId, { timeoutMs: 180_000 });
    expect(run).toMatchObject({ status: 'completed', counts: { extracted: 6000, rejected: 0, loaded: 6000, chunksExtracted: 2, chunksLoaded: 2 } });
    return run;
  }
  const stagedChunks = async (runId: string) => {
    let n = 0;
    for await (const chunk of stages.staging.readChunks(runId, 'extracted')) n += chunk.recordCount;
    return n;
  };

  it('a reload of the unchanged file skips both chunks, stages nothing, and leaves the target as it was', async () => {
    const first = await load();
    expect(first.counts?.chunksSkipped).toBeUndefined();
    const before = await contentById();
    expect(before.size).toBe(6000);

    const again = await load();
    expect(again.counts?.chunksSkipped).toBe(2);
    expect(await stagedChunks(again.runId)).toBe(0);
    expect(await contentById()).toEqual(before);
    // nothing was written: every document still names the first run
    expect(await target().countDocuments({ '_lineage.runId': first.runId })).toBe(6000);

    // a rerun from its staging has nothing to read for those chunks: refused before the run reopens
    await expect(control.control.rerun(again.runId, 'transform')).rejects.toThrow(`skipped 2 chunk(s) as unchanged input (run "${first.runId}" had loaded the same records`);
    expect((await control.control.getRun(again.runId))?.status).toBe('completed');
  });

  it('an edited record sends its own chunk through; the other chunk is still skipped', async () => {
    const edited = flights.map((record, i) => (i === 5500 ? { ...record, delay: 4242 } : record));
    writeFileSync(source, JSON.stringify(edited));
    const run = await load();
    expect(run.counts?.chunksSkipped).toBe(1);
    expect(await stagedChunks(run.runId)).toBe(1000);
    const sourceId = (await stages.staging.getPlan(run.runId))?.sourceId;
    expect(await target().findOne({ _id: `${sourceId}:5500` })).toMatchObject({ delayMinutes: 4242 });
    expect(await target().countDocuments({ '_lineage.runId': run.runId })).toBe(1000);
  });

  it('retention that drops the loading run drops its input marks: the next reload goes through and is staged again', async () => {
    const before = await load();
    expect(before.counts?.chunksSkipped).toBe(2);
    // every run so far: among them the ones whose loads the skipped chunks matched
    const loadedBy = before.counts?.skippedFrom ?? [];
    expect(loadedBy.length).toBeGreaterThan(0);
    expect((await control.control.pruneRuns({ runsBefore: new Date() })).pruned).toEqual(expect.arrayContaining(loadedBy));
    const after = await load();
    expect(after.counts?.chunksSkipped).toBeUndefined();
    expect(await stagedChunks(after.runId)).toBe(6000);
  });

  it('reference data that changed (the airports file) sends every chunk through', async () => {
    const later = new Date(Date.now() + 60_000);
    utimesSync(airports, later, later);
    const run = await load();
    expect(run.counts?.chunksSkipped).toBeUndefined();
    expect(await stagedChunks(run.runId)).toBe(6000);
  });
});
