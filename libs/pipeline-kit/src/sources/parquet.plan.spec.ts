import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { planFileSource } from './file-plan';
import { readFileSplit } from './file-split.reader';
import { vegaDataDir } from './file-source';
import { collect, expectWellFormed, failure, tempFolder } from './source-files.fixture';

// 3,000,000 rows in 11 row groups: 10 of 272,727 and a last one of 272,730
const FLIGHTS = join(vegaDataDir(), 'flights-3m.parquet');
const GROUP = 272_727;

const folder = tempFolder();
afterAll(() => folder.remove());

describe('planFileSource + readFileSplit on Parquet', () => {
  it('cuts row ranges from the footer that never straddle a row group', async () => {
    const plan = await planFileSource(FLIGHTS, 'parquet', { splitRecords: 100_000 });
    expectWellFormed(plan, 100_000);
    expect(plan.totalRecords).toBe(3_000_000);
    expect(plan.splits).toHaveLength(33);
    expect(plan.splits.slice(0, 4).map((s) => [s.range.start, s.range.end])).toEqual([
      [0, 100_000],
      [100_000, 200_000],
      [200_000, GROUP],
      [GROUP, GROUP + 100_000],
    ]);
    const groupOf = (row: number) => Math.min(10, Math.floor(row / GROUP));
    for (const split of plan.splits) {
      expect(split.range.unit).toBe('rows');
      expect(groupOf(split.range.start)).toBe(groupOf(split.range.end - 1));
    }
  });

  it('gives one split per row group when splitRecords is larger than a group, and honours limit', async () => {
    const whole = await planFileSource(FLIGHTS, 'parquet', { splitRecords: 10_000_000 });
    expect(whole.splits.map((s) => s.recordCount)).toEqual([...Array(10).fill(GROUP), 272_730]);
    const limited = await planFileSource(FLIGHTS, 'parquet', { splitRecords: 200_000, limit: 300_000 });
    expect(limited.splits.map((s) => [s.range.start, s.range.end])).toEqual([
      [0, 200_000],
      [200_000, GROUP],
      [GROUP, 300_000],
    ]);
    expect(limited.totalRecords).toBe(300_000);
  });

  it('reads exactly the rows of a split, as the plain reader reads that range', async () => {
    const plan = await planFileSource(FLIGHTS, 'parquet', { splitRecords: 1_000 });
    // the last split of row group 1: a range that starts inside the group's only page
    const split = plan.splits.find((s) => s.range.end === 2 * GROUP);
    if (!split) throw new Error('no split at the end of row group 1');
    const rows = await collect(readFileSplit(FLIGHTS, 'parquet', split, plan.fingerprint));
    const file = await asyncBufferFromFile(FLIGHTS);
    const expected = await parquetReadObjects({ file, compressors, rowStart: split.range.start, rowEnd: split.range.end });
    expect(rows).toHaveLength(split.recordCount);
    expect(rows).toEqual(expected);
    expect(rows[0]).toEqual({ date: expect.any(Date), delay: expect.any(BigInt), distance: expect.any(BigInt), origin: expect.any(String), destination: expect.any(String) });
  });

  it('checks expected columns against the schema', async () => {
    const err = await failure(planFileSource(FLIGHTS, 'parquet', { splitRecords: 1_000 }, { expectedColumns: ['origin', 'carrier'] }), 'SOURCE_UNREADABLE');
    expect(err.message).toBe(`${FLIGHTS} lacks the expected column(s) "carrier"; its schema has "date", "delay", "distance", "origin", "destination"`);
  });

  describe('refuses a damaged file as SOURCE_UNREADABLE (permanent)', () => {
    const original = readFileSync(FLIGHTS);

    it('when it is cut short, at planning', async () => {
      const path = folder.file('cut.parquet', original.subarray(0, 600_000));
      const err = await failure(planFileSource(path, 'parquet', { splitRecords: 1_000 }), 'SOURCE_UNREADABLE');
      expect(err.message).toContain(`${path} is not a readable Parquet file`);
    });

    it('when its footer points past its end (the first bytes and the footer of the original), at planning', async () => {
      const footer = original.readUInt32LE(original.length - 8) + 8;
      const path = folder.file('hollow.parquet', Buffer.concat([original.subarray(0, 600_000), original.subarray(original.length - footer)]));
      const err = await failure(planFileSource(path, 'parquet', { splitRecords: 1_000 }), 'SOURCE_UNREADABLE');
      expect(err.message).toMatch(/ends at byte \d+, past the file's end/);
    });

    it.each([
      ['a page header', 132_852],
      ['compressed page data', 200_000],
    ])('when %s is overwritten, at reading the split', async (_, offset) => {
      const damaged = Buffer.from(original);
      damaged.fill(0xff, offset, offset + 16);
      const path = folder.file(`damaged-${offset}.parquet`, damaged);
      const plan = await planFileSource(path, 'parquet', { splitRecords: 10_000 });
      const err = await failure(collect(readFileSplit(path, 'parquet', plan.splits[0], plan.fingerprint)), 'SOURCE_UNREADABLE');
      expect(err.message).toContain(`${path} is not a readable Parquet file (rows 0–10000)`);
      expect((err as { retriable?: boolean }).retriable).toBe(false);
    });
  });
});
