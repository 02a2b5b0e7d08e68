import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSource } from '../file-source';
import { resolveSourcePath } from './file-source';
import { sourceIdentity } from './source-identity';
import { defaultSourceRoots, vegaDataDir } from './source-roots';

/** Two roots with files of the same name at the top and in year folders, and symlinks among them. */
function layout() {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'source-identity-')));
  const [first, second, outside] = ['first', 'second', 'outside'].map((name) => join(base, name)) as [string, string, string];
  for (const dir of [first, second, outside, join(first, '2024'), join(first, '2025'), join(second, '2024'), join(second, 'only')]) mkdirSync(dir);
  for (const file of ['flights.json', '2024/flights.json', '2025/flights.json']) writeFileSync(join(first, file), '[]');
  for (const file of ['flights.json', '2024/flights.json', 'only/flights.json']) writeFileSync(join(second, file), '[]');
  writeFileSync(join(outside, 'flights.json'), '[]');
  symlinkSync(join(first, '2025', 'flights.json'), join(first, 'latest.json'));
  symlinkSync(join(first, '2024'), join(second, 'linked-year'));
  symlinkSync(outside, join(first, 'outside-dir'));
  return { base, first, second, outside, roots: [first, second] };
}

describe('sourceIdentity', () => {
  const dirs = layout();
  const identityOf = (param: string, roots = dirs.roots) => sourceIdentity(resolveSourcePath(param, roots), roots);
  afterAll(() => rmSync(dirs.base, { recursive: true, force: true }));

  it('is the path inside its root: files of one name in two folders have two identities, a top-level file keeps its name', () => {
    expect(identityOf('2024/flights.json')).toBe('2024/flights.json');
    expect(identityOf('2025/flights.json')).toBe('2025/flights.json');
    expect(identityOf('flights.json')).toBe('flights.json');
  });

  it('does not depend on how the run named the file: absolute path, ./ or .. spellings give the same identity', () => {
    expect(identityOf(join(dirs.first, '2024', 'flights.json'))).toBe('2024/flights.json');
    expect(identityOf('./2025/../2024/flights.json')).toBe('2024/flights.json');
    expect(identityOf(join(dirs.second, 'only', 'flights.json'))).toBe('only/flights.json');
  });

  it('is the real path of a file shadowed by an earlier root with the same relative path (only its absolute path reaches it)', () => {
    expect(identityOf(join(dirs.second, 'flights.json'))).toBe(join(dirs.second, 'flights.json'));
    expect(identityOf(join(dirs.second, '2024', 'flights.json'))).toBe(join(dirs.second, '2024', 'flights.json'));
    // the same file under roots in the other order is no longer shadowed
    expect(identityOf(join(dirs.second, 'flights.json'), [dirs.second, dirs.first])).toBe('flights.json');
  });

  it('follows symlinks as confinePath does: a linked file or folder is the file it points to', () => {
    expect(identityOf('latest.json')).toBe('2025/flights.json');
    expect(identityOf('linked-year/flights.json')).toBe('2024/flights.json');
    // a root reached through a symlink holds its files under their relative names
    const linkedRoot = join(dirs.base, 'first-link');
    symlinkSync(dirs.first, linkedRoot);
    expect(identityOf('2024/flights.json', [linkedRoot, dirs.second])).toBe('2024/flights.json');
  });

  it('is the real path of a file in no root (not one a run can name, but never a relative name that means another file)', () => {
    expect(sourceIdentity(join(dirs.outside, 'flights.json'), dirs.roots)).toBe(join(dirs.outside, 'flights.json'));
    expect(sourceIdentity(join(dirs.first, 'outside-dir', 'flights.json'), dirs.roots)).toBe(join(dirs.outside, 'flights.json'));
  });

  it('is planned with the run: a file source plan carries it', async () => {
    const source = fileSource({ defaultSource: 'flights.json', toRecord: (row) => row });
    const planOf = (params: Record<string, string>) => source.plan(params, { splitRecords: 10, sourceRoots: dirs.roots });
    expect(await planOf({ source: '2024/flights.json' })).toMatchObject({ sourceId: '2024/flights.json', totalRecords: 0 });
    expect((await planOf({})).sourceId).toBe('flights.json');
    expect((await planOf({ source: join(dirs.second, '2024', 'flights.json') })).sourceId).toBe(join(dirs.second, '2024', 'flights.json'));
  });

  it('gives vega-datasets files the name runs use for them, as keys always had', () => {
    expect(identityOf('flights-20k.json', defaultSourceRoots())).toBe('flights-20k.json');
    expect(identityOf(join(vegaDataDir(), 'flights-3m.parquet'), defaultSourceRoots())).toBe('flights-3m.parquet');
    expect(identityOf('seattle-weather.csv', defaultSourceRoots())).toBe('seattle-weather.csv');
  });
});
