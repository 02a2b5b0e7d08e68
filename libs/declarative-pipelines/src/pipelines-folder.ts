import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { errorMessageOf } from '@brokered-etl/errors';
import { projectDataDir, type AnyPipeline } from '@brokered-etl/pipeline-kit';
import { buildDeclaredPipeline, type DeclaredPipeline } from './declared-pipeline';
import { parsePipelineFile } from './pipeline-file.reader';

export const PIPELINE_FILE_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

/** A file that was not loaded, and why: the catalog warns about each when an app starts. */
export interface RefusedPipelineFile {
  file: string;
  reason: string;
}

export interface DeclaredPipelines {
  /** The folder that was read, absolute. */
  dir: string;
  pipelines: DeclaredPipeline[];
  refused: RefusedPipelineFile[];
}

export interface LoadOptions {
  /** Pipelines already hosted (the code ones): a file may not reuse their names or target collections. */
  taken?: readonly AnyPipeline[];
  /** true when the folder was configured (ETL_PIPELINES_DIR): a missing one is then a refusal, not "no declared pipelines". */
  mustExist?: boolean;
}

/** The project's root, found the way pipeline-kit finds its data/ folder: from the installed packages, not the working directory. */
export function projectRootDir(): string {
  return resolve(projectDataDir(), '..');
}

/** ETL_PIPELINES_DIR as configured → an absolute folder: unset is `<project>/pipelines`, a relative one is taken from the project root. */
export function resolvePipelinesDir(configured: string | undefined): string {
  if (!configured) return join(projectRootDir(), 'pipelines');
  return isAbsolute(configured) ? resolve(configured) : resolve(projectRootDir(), configured);
}

/**
 * Every `*.yaml`, `*.yml` and `*.json` file directly in `dir`, in name order,
 * built into a pipeline. A file that cannot be (unreadable, invalid, a name or
 * target collection already taken) is refused with its reason and the rest
 * load: one bad file never stops the other pipelines.
 */
export function loadDeclaredPipelines(dir: string, options: LoadOptions = {}): DeclaredPipelines {
  const absolute = resolve(dir);
  const result: DeclaredPipelines = { dir: absolute, pipelines: [], refused: [] };
  let names: string[];
  try {
    if (!statSync(absolute).isDirectory()) throw new Error('not a folder');
    names = readdirSync(absolute).filter((name) => (PIPELINE_FILE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase())).sort();
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    if (!missing || options.mustExist) result.refused.push({ file: shown(absolute), reason: `${shown(absolute)}: cannot read the pipelines folder (ETL_PIPELINES_DIR): ${missing ? 'no such folder' : errorMessageOf(err)}` });
    return result;
  }
  const owners = new Map<string, string>();
  const collections = new Map<string, string>();
  for (const pipeline of options.taken ?? []) {
    owners.set(pipeline.name, `the code pipeline "${pipeline.name}"`);
    collections.set(pipeline.target.collection, `the code pipeline "${pipeline.name}"`);
  }
  for (const name of names) {
    const file = shown(join(absolute, name));
    try {
      const pipeline = buildDeclaredPipeline(parsePipelineFile(file, readFileSync(join(absolute, name), 'utf8')));
      const owner = owners.get(pipeline.name);
      if (owner) throw new Error(`${file}: pipeline name "${pipeline.name}" is already taken by ${owner}`);
      const writer = collections.get(pipeline.target.collection);
      if (writer) throw new Error(`${file}: target collection "${pipeline.target.collection}" is already written by ${writer}`);
      owners.set(pipeline.name, file);
      collections.set(pipeline.target.collection, file);
      result.pipelines.push(pipeline);
    } catch (err) {
      result.refused.push({ file, reason: errorMessageOf(err) });
    }
  }
  return result;
}

/** A path inside the project as people see it in the repository (pipelines/movies.yaml); anything else in full. */
function shown(path: string): string {
  const rel = relative(projectRootDir(), path);
  return rel && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel) ? rel.split(sep).join('/') : path;
}
