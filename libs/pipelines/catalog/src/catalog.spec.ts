import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type CatalogModule = typeof import('./catalog');

/** The catalog as an app sees it when it starts with this environment (the module reads ETL_PIPELINES_DIR once, on import). */
function catalogWith(env: Record<string, string | undefined>): { catalog: CatalogModule; warnings: string[] } {
  const saved = process.env['ETL_PIPELINES_DIR'];
  const warnings: string[] = [];
  const spy = jest.spyOn(process, 'emitWarning').mockImplementation((warning: string | Error) => void warnings.push(String(warning)));
  try {
    process.env['ETL_PIPELINES_DIR'] = env['ETL_PIPELINES_DIR'];
    if (env['ETL_PIPELINES_DIR'] === undefined) delete process.env['ETL_PIPELINES_DIR'];
    let catalog: CatalogModule | undefined;
    jest.isolateModules(() => {
      catalog = jest.requireActual<CatalogModule>('./catalog');
    });
    return { catalog: catalog!, warnings };
  } finally {
    spy.mockRestore();
    if (saved === undefined) delete process.env['ETL_PIPELINES_DIR'];
    else process.env['ETL_PIPELINES_DIR'] = saved;
  }
}

/** The code pipelines come first, in the array's order; the declared ones follow. */
const codePipelineNames = (catalog: CatalogModule) => catalog.PIPELINES.filter((p) => !catalog.DECLARED_PIPELINES.pipelines.includes(p as never)).map((p) => p.name);

describe('pipeline catalog', () => {
  it('hosts the code pipelines and, by default, the files of the project\'s pipelines/ folder', () => {
    const { catalog, warnings } = catalogWith({});
    expect(catalog.PIPELINES.map((p) => p.name)).toEqual(expect.arrayContaining(['flights', 'airports', 'movies']));
    expect(catalog.pipelineCatalog().find('movies')?.target.collection).toBe('movies');
    expect(warnings).toEqual([]);
  });

  it('with ETL_PIPELINES_DIR: its files; a bad one is refused with a warning and the rest still load', () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
    try {
      const good = 'name: notes\ndescription: notes\nsource: { file: notes.json }\nextracted: { name: Raw, fields: { id: {} } }\ntransformed: { name: Note, fields: { id: string } }\ntarget: { collection: notes, key: id }\n';
      writeFileSync(join(dir, 'notes.yaml'), good);
      writeFileSync(join(dir, 'broken.yaml'), good.replace('name: notes', 'name: broken').replace('collection: notes', 'collection: flights'));
      const { catalog, warnings } = catalogWith({ ETL_PIPELINES_DIR: dir });
      expect(catalog.PIPELINES.map((p) => p.name)).toEqual([...codePipelineNames(catalog), 'notes']);
      expect(codePipelineNames(catalog)).toEqual(expect.arrayContaining(['flights', 'airports']));
      expect(catalog.PIPELINES.map((p) => p.name)).not.toContain('broken');
      expect(catalog.DECLARED_PIPELINES.refused).toHaveLength(1);
      expect(warnings).toEqual([expect.stringMatching(/^pipeline file refused: .*broken\.yaml: target collection "flights" is already written by the code pipeline "flights"$/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a configured folder that is not there is said at start, and the code pipelines still load', () => {
    const { catalog, warnings } = catalogWith({ ETL_PIPELINES_DIR: '/nonexistent/pipelines' });
    expect(catalog.DECLARED_PIPELINES.pipelines).toEqual([]);
    expect(catalog.PIPELINES.map((p) => p.name)).toEqual(expect.arrayContaining(['flights', 'airports']));
    expect(warnings).toEqual(['pipeline file refused: /nonexistent/pipelines: cannot read the pipelines folder (ETL_PIPELINES_DIR): no such folder']);
  });
});
