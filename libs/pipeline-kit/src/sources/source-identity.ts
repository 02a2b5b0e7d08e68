import { relative, resolve, sep } from 'node:path';
import { confinePath, isInside, realOrNull, realRoot } from './source-roots';

/**
 * What names a source file in target keys, so that two files never write the
 * same documents: its path relative to the source root that holds it, with
 * `/` separators (`flights-20k.json`, `2024/flights.json`), when that relative
 * path, resolved against the roots as a run's `source` param is (confinePath),
 * gives this very file. A file shadowed by an earlier root's file of the same
 * relative path can only be named by its absolute path, and that real path is
 * its identity. A file reached through a symlink is the file it points to.
 *
 * Top-level files therefore keep the name keys always had (their basename),
 * and the identity does not depend on how a run spelled the param.
 */
export function sourceIdentity(path: string, roots: readonly string[]): string {
  const real = realOrNull(path) ?? resolve(path);
  for (const root of roots.map(realRoot)) {
    if (real === root || !isInside(real, root)) continue;
    const name = relative(root, real).split(sep).join('/');
    if (namesFile(name, real, roots)) return name;
  }
  return real;
}

function namesFile(name: string, real: string, roots: readonly string[]): boolean {
  try {
    const found = confinePath('source', name, roots);
    return found.exists && found.path === real;
  } catch {
    return false; // e.g. a name that leaves the roots through a symlinked folder: not a name for this file
  }
}
