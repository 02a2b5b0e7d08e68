import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeVersionOf } from './code-version';

describe('the code identity the unchanged-input skip keys on', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'etl-code-version-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is what the deployment says when ETL_CODE_VERSION is set', () => {
    expect(codeVersionOf('sha-abc123', join(dir, 'main.js'))).toBe('configured:sha-abc123');
  });

  it('is a digest of the bundle a built worker runs: another build, another identity', () => {
    const bundle = join(dir, 'main.js');
    writeFileSync(bundle, 'transform v1');
    const first = codeVersionOf(undefined, bundle);
    expect(first).toMatch(/^bundle:/);
    expect(codeVersionOf(undefined, bundle)).toBe(first);
    writeFileSync(bundle, 'transform v2');
    expect(codeVersionOf(undefined, bundle)).not.toBe(first);
  });

  it("run from source, a digest of the workspace's libs/: a changed source changes it, a changed test does not", () => {
    writeFileSync(join(dir, 'nx.json'), '{}');
    mkdirSync(join(dir, 'libs', 'pipelines', 'src'), { recursive: true });
    mkdirSync(join(dir, 'apps', 'extractor', 'src'), { recursive: true });
    const entry = join(dir, 'apps', 'extractor', 'src', 'main.ts');
    writeFileSync(join(dir, 'libs', 'pipelines', 'src', 'transform.ts'), 'v1');
    const first = codeVersionOf(undefined, entry);
    expect(first).toMatch(/^source:/);
    writeFileSync(join(dir, 'libs', 'pipelines', 'src', 'transform.spec.ts'), 'a test');
    expect(codeVersionOf(undefined, entry)).toBe(first);
    writeFileSync(join(dir, 'libs', 'pipelines', 'src', 'transform.ts'), 'v2');
    expect(codeVersionOf(undefined, entry)).not.toBe(first);
  });
});
