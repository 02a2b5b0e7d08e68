import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the console's files are: next to this file in the source tree, and
 * next to the bundle in dist/apps/api (the api build copies them there).
 */
export const DEFAULT_WEB_ROOT = join(__dirname, 'web');

export interface WebAsset {
  body: Buffer;
  contentType: string;
}

const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

/** Read once at start-up: a missing file fails the start, not the first visitor. */
export function loadWebAssets(root: string): Map<string, WebAsset> {
  const assets = new Map<string, WebAsset>();
  for (const [name, contentType] of Object.entries(FILES)) {
    try {
      assets.set(name, { body: readFileSync(join(root, name)), contentType });
    } catch (err) {
      throw new Error(`web console file ${join(root, name)} cannot be read (${(err as NodeJS.ErrnoException).code}); set the api's web root to libs/http-api/src/web`, { cause: err });
    }
  }
  return assets;
}
