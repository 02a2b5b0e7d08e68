import { realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { EtlError } from '@brokered-etl/errors';

/** The folder of vega-datasets' data files: a bare file name like "flights-20k.json" resolves there. */
export function vegaDataDir(): string {
  // the package exports only build/index.js; its data/ folder sits beside build/
  return join(dirname(require.resolve('vega-datasets')), '..', 'data');
}

/**
 * The project's `data/` folder. Found from where vega-datasets is installed
 * (`<root>/node_modules/vega-datasets/build/index.js`), not from the working
 * directory: a worker started elsewhere must not change what it may read.
 */
export function projectDataDir(): string {
  return resolve(dirname(require.resolve('vega-datasets')), '..', '..', '..', 'data');
}

/** Where sources may live when ETL_SOURCE_ROOTS is not set: the project's data/ and vega-datasets' data/. */
export function defaultSourceRoots(): string[] {
  return [projectDataDir(), vegaDataDir()];
}

/** A root as the file system names it, so a root reached through a symlink (macOS /tmp) still contains its files. */
export function realRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return resolve(root); // a root that does not exist (yet) contains nothing; comparing against it is harmless
  }
}

export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

export interface ConfinedPath {
  /** The file's real path (symlinks and `..` resolved), inside one of the roots. */
  path: string;
  /** False when nothing exists there (yet). */
  exists: boolean;
}

/**
 * Resolves a file param inside the configured roots. An absolute value is
 * taken as it is; a relative one against each root in order, the first that
 * exists winning (the first root when none does), never against the working
 * directory. The result's real path must be inside a root: `..`, an absolute
 * path elsewhere, or a symlink inside a root that points out of it is
 * BAD_PARAMS naming the param, the path and the roots. The file is never
 * opened here, so nothing of its content can reach the message.
 */
export function confinePath(param: string, value: string, roots: readonly string[]): ConfinedPath {
  if (roots.length === 0) throw new EtlError('BAD_PARAMS', `param "${param}": no source roots are configured (ETL_SOURCE_ROOTS)`, { details: { field: param } });
  if (value.includes('\0')) throw new EtlError('BAD_PARAMS', `param "${param}" holds a NUL byte`, { details: { field: param } });
  const candidates = isAbsolute(value) ? [resolve(value)] : roots.map((root) => resolve(root, value));
  const real = candidates.map(realOrNull);
  const found = real.findIndex((path) => path !== null);
  const chosen = found >= 0 ? { path: real[found]!, exists: true } : { path: candidates[0]!, exists: false };
  const realRoots = roots.map(realRoot);
  // a path that does not exist is checked by its nearest existing folder's real path: a symlinked folder cannot smuggle it out
  const checked = chosen.exists ? chosen.path : realParentJoin(chosen.path);
  if (!realRoots.some((root) => isInside(checked, root))) {
    throw new EtlError('BAD_PARAMS', `param "${param}": "${value}" resolves to ${checked}, outside the allowed source roots (${roots.join(', ')}; set ETL_SOURCE_ROOTS)`, {
      details: { field: param, path: checked, roots: [...roots] },
    });
  }
  return { path: checked, exists: chosen.exists };
}

/** Like confinePath, and the file must exist and be a regular file (BAD_PARAMS otherwise): for a request as it arrives. */
export function confineExistingFile(param: string, value: string, roots: readonly string[]): string {
  const { path, exists } = confinePath(param, value, roots);
  if (!exists) throw new EtlError('BAD_PARAMS', `param "${param}": no file "${value}" in the source roots (looked for ${path})`, { details: { field: param, path } });
  if (!statSync(path).isFile()) throw new EtlError('BAD_PARAMS', `param "${param}": ${path} is not a regular file`, { details: { field: param, path } });
  return path;
}

export function realOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/** The real path of the deepest existing folder above `path`, joined with the rest. */
function realParentJoin(path: string): string {
  const parent = dirname(path);
  if (parent === path) return path;
  const real = realOrNull(parent);
  return join(real ?? realParentJoin(parent), path.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
}
