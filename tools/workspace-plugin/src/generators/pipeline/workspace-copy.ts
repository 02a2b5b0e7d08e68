import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

/** What a pipeline run needs of the workspace: every lib, the three stage apps, the CLI, this plugin, the declarative pipelines and the root config. */
export const RUN_PARTS = [
  'libs/',
  'apps/extractor/',
  'apps/transformer/',
  'apps/loader/',
  'apps/cli/',
  'tools/workspace-plugin/',
  'pipelines/',
  'package.json',
  'nx.json',
  'tsconfig.base.json',
  'tsconfig.json',
  'eslint.config.mjs',
  'jest.preset.js',
  '.gitignore',
  '.prettierrc',
];

export interface WorkspaceCopy {
  root: string;
  /** Every file of the copy (node_modules aside) and its content, to tell what a command changed. */
  snapshot(): Map<string, string>;
  remove(): void;
}

/**
 * A throwaway copy of the workspace as git sees it (tracked and new files, not
 * ignored ones), limited to `parts`, with node_modules linked rather than copied.
 * Generators and builds run there can never leave files in the real workspace.
 */
export function copyWorkspace(source: string, parts: readonly string[] = RUN_PARTS): WorkspaceCopy {
  const root = mkdtempSync(join(tmpdir(), 'workspace-copy-'));
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: source, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  for (const file of listed.split('\0')) {
    if (!file || !parts.some((part) => (part.endsWith('/') ? file.startsWith(part) : file === part))) continue;
    let isFile = false;
    try {
      isFile = statSync(join(source, file)).isFile();
    } catch {
      // listed by git but deleted in the work tree: a fresh clone of the work tree would not have it either
    }
    if (!isFile) continue;
    mkdirSync(dirname(join(root, file)), { recursive: true });
    copyFileSync(join(source, file), join(root, file));
  }
  symlinkSync(join(source, 'node_modules'), join(root, 'node_modules'), 'dir');
  return {
    root,
    snapshot: () => snapshotOf(root),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

function snapshotOf(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        // Nx's own caches are not the generator's output
        if (!['node_modules', '.nx'].includes(entry.name)) walk(path);
      } else if (entry.isFile()) {
        files.set(relative(root, path), readFileSync(path).toString('base64'));
      }
    }
  };
  walk(root);
  return files;
}

/** Paths added, changed or removed between two snapshots. */
export function changedFiles(before: Map<string, string>, after: Map<string, string>): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((path) => before.get(path) !== after.get(path)).sort();
}
