import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyPipeline } from '@brokered-etl/pipeline-kit';
import { loadDeclaredPipelines, projectRootDir, resolvePipelinesDir } from './pipelines-folder';

const declaration = (name: string, collection = name) => `
name: ${name}
description: ${name} records
source: { file: ${name}.json }
extracted: { name: Raw, fields: { id: {} } }
transformed: { name: Out, fields: { id: string } }
target: { collection: ${collection}, key: id }
`;

describe('loadDeclaredPipelines', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'declared-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads every .yaml, .yml and .json file in name order and ignores other files', () => {
    writeFileSync(join(dir, 'b.yml'), declaration('beta'));
    writeFileSync(join(dir, 'a.yaml'), declaration('alpha'));
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ name: 'gamma', description: 'g', source: { file: 'g.csv' }, extracted: { name: 'Raw', fields: { id: {} } }, transformed: { name: 'Out', fields: { id: 'string' } }, target: { collection: 'gamma', key: 'id' } }));
    writeFileSync(join(dir, 'README.md'), '# not a pipeline');
    mkdirSync(join(dir, 'nested.yaml'));
    const loaded = loadDeclaredPipelines(dir);
    expect(loaded.pipelines.map((p) => [p.name, p.declaredIn])).toEqual([
      ['alpha', join(dir, 'a.yaml')],
      ['beta', join(dir, 'b.yml')],
      ['gamma', join(dir, 'c.json')],
    ]);
    expect(loaded.refused).toEqual([{ file: join(dir, 'nested.yaml'), reason: expect.stringMatching(/EISDIR/) }]);
  });

  it('refuses a bad file with its reason and loads the others', () => {
    writeFileSync(join(dir, 'good.yaml'), declaration('good'));
    writeFileSync(join(dir, 'bad.yaml'), declaration('bad').replace('key: id', "key: 'idd'"));
    const loaded = loadDeclaredPipelines(dir);
    expect(loaded.pipelines.map((p) => p.name)).toEqual(['good']);
    expect(loaded.refused).toEqual([{ file: join(dir, 'bad.yaml'), reason: expect.stringMatching(/bad\.yaml:7 target\.key: "idd" is not a field of the mapped record Out/) }]);
  });

  it('refuses a name or a target collection another pipeline has, code or declared', () => {
    const flights = { name: 'flights', target: { collection: 'flights' } } as AnyPipeline;
    writeFileSync(join(dir, 'a.yaml'), declaration('flights', 'other'));
    writeFileSync(join(dir, 'b.yaml'), declaration('mine', 'flights'));
    writeFileSync(join(dir, 'c.yaml'), declaration('twice'));
    writeFileSync(join(dir, 'd.yaml'), declaration('twice', 'twice2'));
    const loaded = loadDeclaredPipelines(dir, { taken: [flights] });
    expect(loaded.pipelines.map((p) => p.name)).toEqual(['twice']);
    expect(loaded.refused.map((r) => r.reason)).toEqual([
      `${join(dir, 'a.yaml')}: pipeline name "flights" is already taken by the code pipeline "flights"`,
      `${join(dir, 'b.yaml')}: target collection "flights" is already written by the code pipeline "flights"`,
      `${join(dir, 'd.yaml')}: pipeline name "twice" is already taken by ${join(dir, 'c.yaml')}`,
    ]);
  });

  it('a missing folder: nothing declared by default, a refusal when it was configured', () => {
    expect(loadDeclaredPipelines(join(dir, 'none'))).toEqual({ dir: join(dir, 'none'), pipelines: [], refused: [] });
    expect(loadDeclaredPipelines(join(dir, 'none'), { mustExist: true }).refused).toEqual([
      { file: join(dir, 'none'), reason: `${join(dir, 'none')}: cannot read the pipelines folder (ETL_PIPELINES_DIR): no such folder` },
    ]);
  });

  it('ETL_PIPELINES_DIR: unset is <project>/pipelines, relative is from the project root, never the working directory', () => {
    expect(resolvePipelinesDir(undefined)).toBe(join(projectRootDir(), 'pipelines'));
    expect(resolvePipelinesDir('config/pipelines')).toBe(join(projectRootDir(), 'config/pipelines'));
    expect(resolvePipelinesDir('/srv/etl/pipelines/')).toBe('/srv/etl/pipelines');
  });

  it('shows files inside the project as the repository names them', () => {
    const loaded = loadDeclaredPipelines(resolvePipelinesDir(undefined));
    expect(loaded.refused).toEqual([]);
    expect(loaded.pipelines.map((p) => [p.name, p.declaredIn])).toContainEqual(['movies', 'pipelines/movies.yaml']);
  });
});
