import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MongoClient } from 'mongodb';
import { defaultSourceRoots } from '@brokered-etl/pipeline-kit';
import type { ConnectedRunControl } from '@brokered-etl/run-control';
import type { TestStages } from '@brokered-etl/worker/testing';
import { readFlights } from './support/flights-fixtures';
import { createPipelineEnv } from './support/pipeline-env';

/**
 * Two files of one name in two folders of a source root are two sources: the
 * flights key is the file's path inside its root and the position, so both
 * land whole, and a rerun of one leaves the other's documents as they were.
 */
describe('source identity in target keys (real Kafka, registry, MongoDB)', () => {
  const pipeline = createPipelineEnv('it-identity');
  const { database } = pipeline;
  const ROWS = 150;
  // a root of this spec's own, so the folders are the first thing under it (the test roots' temp folder would add one more level)
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'etl-identity-')));
  const flights = readFlights();
  // different records at the same positions: a document overwritten by the other file would show
  const contents = { '2024': flights.slice(0, ROWS), '2025': flights.slice(1000, 1000 + ROWS) };
  for (const [year, records] of Object.entries(contents)) {
    mkdirSync(join(root, year));
    writeFileSync(join(root, year, 'flights.json'), JSON.stringify(records));
  }
  let stages: TestStages;
  let control: ConnectedRunControl;
  let mongo: MongoClient;

  beforeAll(async () => {
    // run control checks the absolute paths against the test roots (the temp folder holds this root); the workers plan against this root
    ({ stages, connected: control, mongo } = await pipeline.start({ extraEnv: { ETL_SOURCE_ROOTS: [root, ...defaultSourceRoots()].join(',') } }));
  }, 120_000);
  afterAll(async () => {
    await pipeline.close();
    rmSync(root, { recursive: true, force: true });
  });

  const target = () => mongo.db(database).collection<{ _id: string; route: string }>('flights');
  const idsOf = (year: string) => Array.from({ length: ROWS }, (_, i) => `${year}/flights.json:${i}`);
  const documentsOf = (year: string) => target().find({ _id: { $in: idsOf(year) } }).sort({ _id: 1 }).toArray();
  const routeOf = (record: Record<string, unknown>) => `${record['origin']}-${record['destination']}`;

  async function load(year: string): Promise<string> {
    const { runId } = await control.control.trigger({ pipeline: 'flights', params: { source: join(root, year, 'flights.json'), limit: String(ROWS) }, requestedBy: 'test' });
    expect(await control.control.waitForRun(runId, { timeoutMs: 180_000 })).toMatchObject({ status: 'completed', counts: { extracted: ROWS, rejected: 0, loaded: ROWS } });
    return runId;
  }

  it('loads both flights.json files whole, each keyed by its path in the root; a rerun of one leaves the other as it was', async () => {
    const run2024 = await load('2024');
    await load('2025');
    expect((await stages.staging.getPlan(run2024))?.sourceId).toBe('2024/flights.json');

    const ids = (await target().find({}, { projection: { _id: 1 } }).toArray()).map((doc) => doc._id).sort();
    expect(ids).toEqual([...idsOf('2024'), ...idsOf('2025')].sort());
    for (const year of ['2024', '2025'] as const) {
      const byId = new Map((await documentsOf(year)).map((doc) => [doc._id, doc.route]));
      expect(idsOf(year).map((id) => byId.get(id))).toEqual(contents[year].map(routeOf));
    }

    const before2025 = await documentsOf('2025');
    await control.control.rerun(run2024, 'transform');
    expect(await control.control.waitForRun(run2024, { timeoutMs: 180_000 })).toMatchObject({ status: 'completed', generation: 1, counts: { loaded: ROWS } });
    expect((await target().find({}, { projection: { _id: 1 } }).toArray()).map((doc) => doc._id).sort()).toEqual(ids);
    expect(await documentsOf('2025')).toEqual(before2025);
  });
});
