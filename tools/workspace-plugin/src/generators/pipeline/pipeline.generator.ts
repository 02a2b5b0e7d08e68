import { join } from 'node:path';
import { addProjectConfiguration, generateFiles, getProjects, logger, readJson, updateJson, type GeneratorCallback, type Tree } from '@nx/devkit';
import { addCatalogEntry } from './catalog-entry';
import { declaredPipelines } from './declared-pipelines';
import { pipelineNamesOf, type PipelineGeneratorOptions, type PipelineNames } from './pipeline.options';
import { sampleInput } from './sample-input';

const BASE_TSCONFIG = 'tsconfig.base.json';

/**
 * `nx g @brokered-etl/workspace-plugin:pipeline <name> --source json|csv|parquet`:
 * a lib with exactly the files the existing pipeline libs have, a sample
 * input (in the lib for its spec, and in data/ for a first run), the path
 * alias and the catalog entry. Nothing else in the workspace changes.
 */
export async function pipelineGenerator(tree: Tree, options: PipelineGeneratorOptions): Promise<GeneratorCallback> {
  const names = pipelineNamesOf(options);
  refuseExisting(tree, names);

  addProjectConfiguration(tree, names.projectName, {
    root: names.projectRoot,
    sourceRoot: `${names.projectRoot}/src`,
    projectType: 'library',
    tags: ['type:pipeline', `scope:${names.name}`],
    targets: {},
  });
  generateFiles(tree, join(__dirname, 'files'), names.projectRoot, { ...names, tmpl: '' });
  const sample = sampleInput(names.format);
  tree.write(`${names.projectRoot}/sample/${names.sampleFile}`, sample);
  tree.write(`data/${names.sampleFile}`, sample);
  addPathAlias(tree, names);
  addCatalogEntry(tree, `${names.propertyName}Pipeline`, names.importPath);

  return () => {
    logger.info(
      [
        `Pipeline "${names.name}" is in ${names.projectRoot} and in the catalog. Next:`,
        `  npx jest -c ${names.projectRoot}/jest.config.ts`,
        `  (re)start the stage workers, which read the catalog at start: npx nx serve extractor, transformer, loader`,
        `  npx etl trigger ${names.name} --wait    (reads data/${names.sampleFile}: 5 loaded, 1 rejected with its reason)`,
        `Then make it yours: docs/pipelines.md, "Generate a pipeline".`,
      ].join('\n'),
    );
  };
}

export default pipelineGenerator;

function refuseExisting(tree: Tree, names: PipelineNames): void {
  if (tree.exists(names.projectRoot)) throw new Error(`${names.projectRoot} exists already: pipeline "${names.name}" is taken (choose another name)`);
  if (getProjects(tree).has(names.projectName)) throw new Error(`a project named "${names.projectName}" exists already: choose another pipeline name`);
  const paths = tree.exists(BASE_TSCONFIG) ? (readPaths(tree) ?? {}) : {};
  if (paths[names.importPath]) throw new Error(`${BASE_TSCONFIG} already maps ${names.importPath}: choose another pipeline name`);
  if (tree.exists(`data/${names.sampleFile}`)) throw new Error(`data/${names.sampleFile} exists already: move it away or choose another pipeline name`);
  for (const declared of declaredPipelines(tree)) {
    if (declared.name === names.name) throw new Error(`${declared.file} declares a pipeline named "${names.name}" already: choose another name`);
    if (declared.collection === names.name) throw new Error(`${declared.file} loads into the collection "${names.name}" already: choose another pipeline name`);
  }
}

function readPaths(tree: Tree): Record<string, string[]> | undefined {
  return readJson<{ compilerOptions?: { paths?: Record<string, string[]> } }>(tree, BASE_TSCONFIG).compilerOptions?.paths;
}

/** The alias every lib has, kept in the file's alphabetical order. */
function addPathAlias(tree: Tree, names: PipelineNames): void {
  if (!tree.exists(BASE_TSCONFIG)) throw new Error(`${BASE_TSCONFIG} is missing: the generator adds the pipeline's path alias there`);
  updateJson(tree, BASE_TSCONFIG, (json: { compilerOptions?: { paths?: Record<string, string[]> } }) => {
    const compilerOptions = (json.compilerOptions ??= {});
    const entries = Object.entries(compilerOptions.paths ?? {});
    const at = entries.findIndex(([alias]) => alias > names.importPath);
    entries.splice(at < 0 ? entries.length : at, 0, [names.importPath, [`./${names.projectRoot}/src/index.ts`]]);
    compilerOptions.paths = Object.fromEntries(entries);
    return json;
  });
}
