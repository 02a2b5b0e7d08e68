import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The code identity the unchanged-input skip keys on (docs/staging.md): a run
 * skips a chunk only if an earlier run loaded it under the same code, so a
 * changed transform always transforms again. In order:
 * - `configured` (ETL_CODE_VERSION): what a deployment says it runs (an image digest, a commit);
 * - the bundle this worker runs (`nx build` output, one .js file with every pipeline in it);
 * - run from source (tsx, tests, benches): every source file under the workspace's `libs/`.
 */
export function codeVersionOf(configured: string | undefined, entry: string | undefined = process.argv[1]): string {
  if (configured) return `configured:${configured}`;
  if (entry?.endsWith('.js') && existsSync(entry)) return `bundle:${digestOfFiles([entry])}`;
  const root = workspaceRoot(entry ? dirname(resolve(entry)) : process.cwd()) ?? workspaceRoot(process.cwd());
  if (!root) throw new Error(`cannot tell which code this worker runs (no bundle, no workspace above ${entry ?? process.cwd()}): set ETL_CODE_VERSION, or SKIP_UNCHANGED_INPUT=false`);
  return `source:${digestOfFiles(sourceFiles(join(root, 'libs')))}`;
}

function workspaceRoot(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Sources that ship, in a stable order: tests, build output and dependencies are not the code that runs. */
function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') files.push(...sourceFiles(path));
    } else if (/\.(ts|js|json|ya?ml|csv)$/.test(entry.name) && !/\.(spec|test)\.ts$/.test(entry.name)) {
      files.push(path);
    }
  }
  return files;
}

function digestOfFiles(paths: readonly string[]): string {
  const hash = createHash('sha256');
  for (const path of paths) hash.update(path.slice(path.lastIndexOf('/libs/') + 1)).update('\0').update(readFileSync(path)).update('\0');
  return hash.digest('base64url').slice(0, 22);
}
