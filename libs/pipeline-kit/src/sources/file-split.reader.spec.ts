import { appendFileSync, utimesSync, writeFileSync } from 'node:fs';
import { planFileSource } from './file-plan';
import { readFileSplit } from './file-split.reader';
import { collect, failure, tempFolder } from './source-files.fixture';

const folder = tempFolder();
afterAll(() => folder.remove());

describe('readFileSplit refuses content other than what was planned', () => {
  it('SOURCE_CHANGED when the size changed, before reading anything', async () => {
    const path = folder.file('grown.json', '[{"a":1},{"a":2}]');
    const plan = await planFileSource(path, 'json', { splitRecords: 1 });
    appendFileSync(path, ' ');
    const err = await failure(collect(readFileSplit(path, 'json', plan.splits[0], plan.fingerprint)), 'SOURCE_CHANGED');
    expect(err.message).toContain(`${path} changed since the run was planned`);
    expect(err.message).toContain(`the plan was made of ${plan.fingerprint}`);
  });

  it('SOURCE_CHANGED when only the modification time changed', async () => {
    const path = folder.file('touched.csv', 'a\n1\n');
    const plan = await planFileSource(path, 'csv', { splitRecords: 1 });
    utimesSync(path, new Date(), new Date(Date.now() + 60_000));
    await failure(collect(readFileSplit(path, 'csv', plan.splits[0], plan.fingerprint)), 'SOURCE_CHANGED');
  });

  it('SOURCE_NOT_FOUND when the file is gone', async () => {
    const f = tempFolder();
    const path = f.file('gone.json', '[1]');
    const plan = await planFileSource(path, 'json', { splitRecords: 1 });
    f.remove();
    await failure(collect(readFileSplit(path, 'json', plan.splits[0], plan.fingerprint)), 'SOURCE_NOT_FOUND');
  });

  it('a split that does not hold the planned records fails, even when size and mtime were kept', async () => {
    const f = tempFolder();
    const path = f.file('rewritten.json', '[{"a":1},{"b":2}]');
    // a whole-millisecond mtime, so setting it again restores the fingerprint exactly
    const mtime = new Date(1_700_000_000_000);
    utimesSync(path, mtime, mtime);
    const plan = await planFileSource(path, 'json', { splitRecords: 2 });
    // same length, one record where the plan counted two
    writeFileSync(path, '[{"a":1,"b":22 }]');
    utimesSync(path, mtime, mtime);
    expect((await planFileSource(path, 'json', { splitRecords: 2 })).fingerprint).toBe(plan.fingerprint);
    const err = await failure(collect(readFileSplit(path, 'json', plan.splits[0], plan.fingerprint)), 'SOURCE_UNREADABLE');
    expect(err.message).toContain(`split 0 held 1 records where the plan counted 2`);
    f.remove();
  });

  it('BAD_PARAMS for a split of another format', async () => {
    const f = tempFolder();
    const path = f.file('rows.csv', 'a\n1\n');
    const plan = await planFileSource(path, 'csv', { splitRecords: 1 });
    await failure(collect(readFileSplit(path, 'parquet', plan.splits[0], plan.fingerprint)), 'BAD_PARAMS');
    f.remove();
  });

  it('SOURCE_NOT_FOUND when planning a file that does not exist', async () => {
    const err = await failure(planFileSource(`${folder.dir}/missing.json`, 'json', { splitRecords: 1 }), 'SOURCE_NOT_FOUND');
    expect(err.message).toBe(`${folder.dir}/missing.json not found`);
  });

  it('BAD_PARAMS for a split size that is not a positive integer', async () => {
    const f = tempFolder();
    const path = f.file('rows.json', '[1]');
    await failure(planFileSource(path, 'json', { splitRecords: 0 }), 'BAD_PARAMS');
    await failure(planFileSource(path, 'json', { splitRecords: 1, limit: -1 }), 'BAD_PARAMS');
    f.remove();
  });
});

describe('readFileSplit stops cleanly when the consumer stops', () => {
  it('a consumer may stop after the first record without leaving the stream open or failing', async () => {
    const f = tempFolder();
    const path = f.file('early.csv', 'a\n1\n2\n3\n');
    const plan = await planFileSource(path, 'csv', { splitRecords: 3 });
    for await (const row of readFileSplit(path, 'csv', plan.splits[0], plan.fingerprint)) {
      expect(row).toEqual({ a: '1' });
      break;
    }
    f.remove();
  });
});
