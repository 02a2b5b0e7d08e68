// the module object itself (not a namespace copy), so the spy below is what the readers call
import fs from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readCsv } from './csv.source';
import { planFileSource } from './file-plan';
import { readFileSplit } from './file-split.reader';
import { readFileRecords, vegaDataDir, type FileFormat } from './file-source';
import { readJsonArray } from './json.source';
import { collect, failure, tempFolder } from './source-files.fixture';

// An 'error' event nobody listens to is an uncaught exception, and jest fails
// the running test on one; so each case passing also shows nothing crashed.
// A tick after the failure gives a stray late 'error' the chance to show up.
const settle = () => new Promise((resolve) => setImmediate(resolve));

const folder = tempFolder();
afterAll(() => folder.remove());

const FORMATS: FileFormat[] = ['json', 'csv', 'parquet'];

describe('a directory where a file should be (EISDIR, real)', () => {
  it.each(FORMATS)('the %s plan refuses it as SOURCE_UNREADABLE', async (format) => {
    const err = await failure(planFileSource(folder.dir, format, { splitRecords: 10 }), 'SOURCE_UNREADABLE');
    expect(err.message).toBe(`${folder.dir} is not readable: not a regular file`);
    await settle();
  });

  it.each(FORMATS)('the whole-file %s reader refuses it as SOURCE_UNREADABLE, naming the reason', async (format) => {
    const err = await failure(collect(readFileRecords(folder.dir, format)), 'SOURCE_UNREADABLE');
    expect(err.message).toBe(`${folder.dir} is not readable: is a directory (EISDIR)`);
    await settle();
  });

  it('the stream readers refuse a failing input instead of leaving its error unhandled', async () => {
    await failure(collect(readJsonArray(fs.createReadStream(folder.dir), 'dir.json')), 'SOURCE_UNREADABLE');
    await failure(collect(readCsv(fs.createReadStream(folder.dir), 'dir.csv')), 'SOURCE_UNREADABLE');
    await settle();
  });
});

// Tests run as root, which reads a chmod 000 file anyway: the EACCES a
// service account would get is injected at fs.createReadStream instead.
describe('a file without read permission (EACCES, injected)', () => {
  const files: Record<FileFormat, string> = {
    json: folder.file('locked.json', '[{"a":1}]'),
    csv: folder.file('locked.csv', 'a\n1\n'),
    parquet: join(vegaDataDir(), 'flights-3m.parquet'),
  };
  const denied = new Set<string>();
  const realCreateReadStream = fs.createReadStream;

  beforeAll(() => {
    jest.spyOn(fs, 'createReadStream').mockImplementation(((path: fs.PathLike, options?: never) => {
      if (!denied.has(String(path))) return realCreateReadStream(path, options);
      // nothing to read: the stream only fails, as an open without permission does
      const stream = new Readable({ read: () => undefined });
      const error = Object.assign(new Error(`EACCES: permission denied, open '${String(path)}'`), { code: 'EACCES', errno: -13, syscall: 'open', path: String(path) });
      process.nextTick(() => stream.destroy(error));
      return stream as fs.ReadStream;
    }) as typeof fs.createReadStream);
  });
  afterAll(() => jest.restoreAllMocks());
  afterEach(() => denied.clear());

  it.each(FORMATS)('%s: plan and split read fail with SOURCE_UNREADABLE "permission denied"', async (format) => {
    const path = files[format];
    const plan = await planFileSource(path, format, { splitRecords: 1_000_000 });
    denied.add(path);
    const planErr = await failure(planFileSource(path, format, { splitRecords: 1_000_000 }), 'SOURCE_UNREADABLE');
    expect(planErr.message).toBe(`${path} is not readable: permission denied (EACCES)`);
    const readErr = await failure(collect(readFileSplit(path, format, plan.splits[0], plan.fingerprint)), 'SOURCE_UNREADABLE');
    expect(readErr.message).toBe(`${path} is not readable: permission denied (EACCES)`);
    expect(readErr).toMatchObject({ retriable: false, details: { path, errno: 'EACCES' } });
    await settle();
  });

  it.each(FORMATS)('%s: the whole-file reader fails with SOURCE_UNREADABLE too', async (format) => {
    denied.add(files[format]);
    const err = await failure(collect(readFileRecords(files[format], format)), 'SOURCE_UNREADABLE');
    expect(err.message).toBe(`${files[format]} is not readable: permission denied (EACCES)`);
    await settle();
  });
});
