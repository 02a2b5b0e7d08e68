import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEtlError } from '@brokered-etl/errors';
import { resolveSourcePath } from './file-source';
import { confineExistingFile, confinePath, defaultSourceRoots, projectDataDir, vegaDataDir } from './source-roots';

/** Two roots and a folder outside both, each with a file; symlinks inside the roots point in and out. */
function layout() {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'source-roots-')));
  const [first, second, outside] = ['first', 'second', 'outside'].map((name) => join(base, name));
  for (const dir of [first!, second!, outside!]) mkdirSync(dir);
  writeFileSync(join(first!, 'a.json'), '[]');
  writeFileSync(join(second!, 'a.json'), '[]');
  writeFileSync(join(second!, 'b.json'), '[]');
  writeFileSync(join(outside!, 'secret.txt'), 'do not read me');
  mkdirSync(join(first!, 'sub'));
  symlinkSync(join(outside!, 'secret.txt'), join(first!, 'to-outside.json'));
  symlinkSync(outside!, join(first!, 'outside-dir'));
  symlinkSync(join(second!, 'b.json'), join(first!, 'to-second.json'));
  return { base, first: first!, second: second!, outside: outside!, roots: [first!, second!] };
}

function refusal(work: () => unknown): { code: string; message: string; details?: Record<string, unknown> } {
  try {
    work();
  } catch (err) {
    if (isEtlError(err)) return { code: err.code, message: err.message, details: err.details };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('source confinement', () => {
  const dirs = layout();
  afterAll(() => rmSync(dirs.base, { recursive: true, force: true }));

  it('resolves a relative name against each root in order, the first that exists winning', () => {
    expect(confineExistingFile('source', 'a.json', dirs.roots)).toBe(join(dirs.first, 'a.json'));
    expect(confineExistingFile('source', 'b.json', dirs.roots)).toBe(join(dirs.second, 'b.json'));
  });

  it('never resolves a relative name against the working directory', () => {
    const cwd = process.cwd();
    process.chdir(dirs.outside);
    try {
      expect(refusal(() => confineExistingFile('source', 'secret.txt', dirs.roots))).toMatchObject({ code: 'BAD_PARAMS', details: { field: 'source' } });
    } finally {
      process.chdir(cwd);
    }
  });

  it('takes an absolute path inside a root', () => {
    expect(confineExistingFile('source', join(dirs.second, 'b.json'), dirs.roots)).toBe(join(dirs.second, 'b.json'));
  });

  it.each([
    ['a ../ traversal', () => '../../../../../../etc/passwd'],
    ['a traversal that passes through a root', () => join(dirs.first, '..', 'outside', 'secret.txt')],
    ['an absolute path outside', () => '/etc/passwd'],
    ['a symlink inside a root pointing outside', () => 'to-outside.json'],
    ['a file under a symlinked folder pointing outside', () => 'outside-dir/secret.txt'],
  ])('refuses %s: BAD_PARAMS naming the param, the resolved path and the roots, never the content', (_, value) => {
    const err = refusal(() => confineExistingFile('airports', value(), dirs.roots));
    expect(err.code).toBe('BAD_PARAMS');
    expect(err.details).toMatchObject({ field: 'airports' });
    expect(err.message).toMatch(/param "airports"/);
    expect(err.message).toContain(dirs.first);
    expect(err.message).toMatch(/outside the allowed source roots/);
    expect(err.message).not.toMatch(/do not read me|root:/);
  });

  it('refuses a missing file under a symlinked folder pointing outside, before it exists', () => {
    expect(refusal(() => confinePath('source', 'outside-dir/later.json', dirs.roots)).code).toBe('BAD_PARAMS');
  });

  it('allows a symlink inside a root that points into a root', () => {
    expect(confineExistingFile('source', 'to-second.json', dirs.roots)).toBe(join(dirs.second, 'b.json'));
  });

  it('a missing file or a folder: BAD_PARAMS where a request arrives, SOURCE_NOT_FOUND for the reader', () => {
    expect(refusal(() => confineExistingFile('source', 'missing.json', dirs.roots))).toMatchObject({ code: 'BAD_PARAMS', details: { field: 'source' } });
    expect(refusal(() => confineExistingFile('source', 'sub', dirs.roots)).message).toMatch(/not a regular file/);
    expect(confinePath('source', 'missing.json', dirs.roots)).toEqual({ path: join(dirs.first, 'missing.json'), exists: false });
    expect(refusal(() => resolveSourcePath('missing.json', dirs.roots))).toMatchObject({ code: 'SOURCE_NOT_FOUND' });
    expect(refusal(() => resolveSourcePath('sub', dirs.roots))).toMatchObject({ code: 'SOURCE_NOT_FOUND' });
    expect(refusal(() => resolveSourcePath('/etc/passwd', dirs.roots))).toMatchObject({ code: 'BAD_PARAMS' });
  });

  it('refuses everything when no root is configured', () => {
    expect(refusal(() => confinePath('source', 'a.json', [])).code).toBe('BAD_PARAMS');
  });

  it('defaults to the project data/ folder and vega-datasets data/', () => {
    expect(defaultSourceRoots()).toEqual([projectDataDir(), vegaDataDir()]);
    expect(projectDataDir()).toBe(join(__dirname, '..', '..', '..', '..', 'data'));
    expect(resolveSourcePath('flights-2k.json')).toBe(realpathSync(join(vegaDataDir(), 'flights-2k.json')));
  });
});
