import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJson, readProjectConfiguration, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { parquetReadObjects } from 'hyparquet';
import { CATALOG_FILE } from './catalog-entry';
import { GUIDE_EXAMPLE, guideFillIns, linesWritten } from './guide-example';
import { pipelineGenerator } from './pipeline.generator';
import { SAMPLE_ROWS } from './sample-input';

const ROOT = join(__dirname, '..', '..', '..', '..', '..');
const real = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const AIRPORTS = 'libs/pipelines/airports';

/** A tree with the real files the generator edits, and the airports lib as an existing pipeline. */
function workspace(): Tree {
  const tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
  for (const path of ['tsconfig.base.json', CATALOG_FILE, `${AIRPORTS}/project.json`, `${AIRPORTS}/eslint.config.mjs`, `${AIRPORTS}/jest.config.ts`]) tree.write(path, real(path));
  return tree;
}

function filesUnder(tree: Tree, dir: string): string[] {
  return tree.children(dir).flatMap((child) => {
    const path = `${dir}/${child}`;
    return tree.isFile(path) ? [path] : filesUnder(tree, path);
  });
}

/** A file's text; a missing file fails the test that reads it. */
function text(tree: Tree, path: string): string {
  const content = tree.read(path, 'utf-8');
  if (content === null) throw new Error(`${path} was not written`);
  return content;
}

/** Every file of the tree and its content. */
function contents(tree: Tree): Map<string, string> {
  return new Map(tree.listChanges().filter((c) => c.type !== 'DELETE').map((c) => [c.path, String(c.content?.toString('base64'))]));
}

const paths = (tree: Tree): Record<string, string[]> => readJson(tree, 'tsconfig.base.json').compilerOptions.paths;

describe('pipeline generator', () => {
  it('creates the files every pipeline lib has, a sample input in the lib and in data/, and changes nothing else', async () => {
    const tree = workspace();
    const before = contents(tree);
    await pipelineGenerator(tree, { name: 'weather-stations', source: 'csv' });
    const lib = 'libs/pipelines/weather-stations';
    expect(filesUnder(tree, lib).sort()).toEqual(
      [
        'project.json',
        'eslint.config.mjs',
        'jest.config.ts',
        'sample/weather-stations.sample.csv',
        'src/index.ts',
        'src/weather-stations.pipeline.ts',
        'src/weather-stations.pipeline.spec.ts',
      ].map((f) => `${lib}/${f}`).sort(),
    );
    const changed = [...contents(tree)].filter(([path, content]) => before.get(path) !== content).map(([path]) => path);
    expect(changed.filter((p) => !p.startsWith(`${lib}/`)).sort()).toEqual(['data/weather-stations.sample.csv', CATALOG_FILE, 'tsconfig.base.json'].sort());
  });

  it('copies the airports lib config files, with its own name', async () => {
    const tree = workspace();
    await pipelineGenerator(tree, { name: 'weather-stations' });
    const lib = 'libs/pipelines/weather-stations';
    expect(tree.read(`${lib}/eslint.config.mjs`, 'utf-8')).toBe(real(`${AIRPORTS}/eslint.config.mjs`));
    expect(tree.read(`${lib}/jest.config.ts`, 'utf-8')).toBe(real(`${AIRPORTS}/jest.config.ts`).replace('pipeline-airports', 'pipeline-weather-stations'));
    const project = readProjectConfiguration(tree, 'pipeline-weather-stations');
    const airports = JSON.parse(real(`${AIRPORTS}/project.json`));
    expect(project).toEqual({
      ...airports,
      root: lib,
      name: 'pipeline-weather-stations',
      sourceRoot: `${lib}/src`,
      tags: ['type:pipeline', 'scope:weather-stations'],
    });
    expect(tree.read(`${lib}/src/index.ts`, 'utf-8')).toBe("export { weatherStationsPipeline } from './weather-stations.pipeline';\n");
  });

  it('fills the templates: names, Avro namespace, default source; nothing left unsubstituted', async () => {
    const tree = workspace();
    await pipelineGenerator(tree, { name: 'weather-stations', source: 'parquet' });
    const code = text(tree, 'libs/pipelines/weather-stations/src/weather-stations.pipeline.ts');
    expect(code).toContain('export const weatherStationsPipeline');
    expect(code).toContain("name: 'weather-stations'");
    expect(code).toContain("'io.brokeredetl.weather_stations'");
    expect(code).toContain("defaultSource: 'weather-stations.sample.parquet'");
    for (const path of filesUnder(tree, 'libs/pipelines/weather-stations')) {
      expect(path).not.toMatch(/__|tmpl/);
      if (!path.endsWith('.parquet')) expect(tree.read(path, 'utf-8')).not.toMatch(/<%|%>/);
    }
  });

  it('adds the path alias in alphabetical order and leaves the other aliases as they were', async () => {
    const tree = workspace();
    const before = paths(tree);
    await pipelineGenerator(tree, { name: 'geo' });
    const after = paths(tree);
    expect(after['@brokered-etl/pipelines/geo']).toEqual(['./libs/pipelines/geo/src/index.ts']);
    expect(after).toEqual({ ...before, '@brokered-etl/pipelines/geo': ['./libs/pipelines/geo/src/index.ts'] });
    const keys = Object.keys(after);
    expect(keys.indexOf('@brokered-etl/pipelines/geo')).toBe(keys.indexOf('@brokered-etl/pipelines/flights') + 1);
  });

  it('registers the pipeline in the catalog: one import and one entry, the rest of the file unchanged', async () => {
    const tree = workspace();
    const before = text(tree, CATALOG_FILE);
    await pipelineGenerator(tree, { name: 'geo' });
    const after = text(tree, CATALOG_FILE);
    expect(after).toContain("import { geoPipeline } from '@brokered-etl/pipelines/geo';\n");
    expect(after).toMatch(/export const PIPELINES: readonly AnyPipeline\[\] = \[[^\]]*, geoPipeline\];/);
    expect(after.replace("\nimport { geoPipeline } from '@brokered-etl/pipelines/geo';", '').replace(', geoPipeline]', ']')).toBe(before);
  });

  it.each(['json', 'csv', 'parquet'] as const)('writes the same sample rows as %s, in the lib and in data/', async (source) => {
    const tree = workspace();
    await pipelineGenerator(tree, { name: 'geo', source });
    const inLib = tree.read(`libs/pipelines/geo/sample/geo.sample.${source}`) ?? Buffer.alloc(0);
    expect(tree.read(`data/geo.sample.${source}`)).toEqual(inLib);
    expect(await rowsOf(source, inLib)).toEqual(SAMPLE_ROWS);
  });

  it("is what docs/pipelines.md fills in, but for the 7 + 5 lines the guide says a user writes", async () => {
    const tree = workspace();
    await pipelineGenerator(tree, GUIDE_EXAMPLE);
    const written = guideFillIns(real('docs/pipelines.md')).map(({ path, code }) => [path, linesWritten(text(tree, path), code)]);
    expect(written).toEqual([
      ['libs/pipelines/seattle-weather/src/seattle-weather.pipeline.ts', 7],
      ['libs/pipelines/seattle-weather/src/seattle-weather.pipeline.spec.ts', 5],
    ]);
    expect(linesWritten('a\nb\nc', 'a\nB\nc\nd')).toBe(2);
  });

  it('refuses a pipeline that exists already, by folder, project name or alias', async () => {
    const existing = workspace();
    const before = contents(existing);
    await expect(pipelineGenerator(existing, { name: 'airports' })).rejects.toThrow('libs/pipelines/airports exists already');
    expect(contents(existing)).toEqual(before);
    await expect(pipelineGenerator(workspace(), { name: 'catalog' })).rejects.toThrow('exists already');

    const aliased = workspace();
    aliased.write('tsconfig.base.json', JSON.stringify({ compilerOptions: { paths: { '@brokered-etl/pipelines/geo': ['./elsewhere/index.ts'] } } }));
    await expect(pipelineGenerator(aliased, { name: 'geo' })).rejects.toThrow('tsconfig.base.json already maps @brokered-etl/pipelines/geo');

    const twice = workspace();
    await pipelineGenerator(twice, { name: 'geo' });
    await expect(pipelineGenerator(twice, { name: 'geo' })).rejects.toThrow('libs/pipelines/geo exists already');
  });

  it('refuses a name or target collection a declarative pipeline file already has', async () => {
    const tree = workspace();
    tree.write('pipelines/movies.yaml', real('pipelines/movies.yaml'));
    await expect(pipelineGenerator(tree, { name: 'movies' })).rejects.toThrow('pipelines/movies.yaml declares a pipeline named "movies" already');
    tree.write('pipelines/films.json', JSON.stringify({ name: 'films', target: { collection: 'geo' } }));
    await expect(pipelineGenerator(tree, { name: 'geo' })).rejects.toThrow('pipelines/films.json loads into the collection "geo" already');
    tree.write('pipelines/broken.yaml', 'name: [');
    await pipelineGenerator(tree, { name: 'weather' });
    expect(tree.exists('libs/pipelines/weather/src/weather.pipeline.ts')).toBe(true);
  });

  it.each(['Geo', 'geo_data', '9geo', 'geo--x', 'geo-', '-geo', 'geo.x', 'ge o', '', 'a'.repeat(41)])('refuses the invalid name "%s" before writing anything', async (name) => {
    const tree = workspace();
    const before = tree.listChanges().length;
    await expect(pipelineGenerator(tree, { name })).rejects.toThrow('is not a valid pipeline name: use lowercase kebab-case');
    expect(tree.listChanges()).toHaveLength(before);
  });

  it('refuses a source format it cannot write', async () => {
    await expect(pipelineGenerator(workspace(), { name: 'geo', source: 'xml' as never })).rejects.toThrow('--source "xml" is not one of json, csv, parquet');
  });

  it('refuses a catalog it cannot edit, naming the file', async () => {
    const tree = workspace();
    tree.write(CATALOG_FILE, 'export const pipelines = [];\n');
    await expect(pipelineGenerator(tree, { name: 'geo' })).rejects.toThrow(`${CATALOG_FILE} has no \`PIPELINES = [...]\` array literal`);
  });
});

async function rowsOf(format: 'json' | 'csv' | 'parquet', content: Buffer): Promise<unknown[]> {
  if (format === 'json') return JSON.parse(content.toString('utf8'));
  if (format === 'parquet') {
    const file = content.buffer.slice(content.byteOffset, content.byteOffset + content.byteLength) as ArrayBuffer;
    return parquetReadObjects({ file });
  }
  const [header, ...lines] = content.toString('utf8').trimEnd().split('\n').map(csvCells);
  return lines.map((cells) => Object.fromEntries((header ?? []).map((column, i) => [column, cells[i]])));
}

/** Just enough CSV for the sample: quoted cells with commas. */
function csvCells(line: string): string[] {
  return [...line.matchAll(/"((?:[^"]|"")*)"|([^,]*)/g)].filter((m) => m.index === 0 || line[m.index - 1] === ',').map((m) => (m[1] ?? m[2] ?? '').replace(/""/g, '"'));
}
