import { stat } from 'node:fs/promises';
import { EtlError } from '@brokered-etl/errors';
import { fileReadError } from './file-read.errors';

/**
 * What a plan was made of: size and modification time, cheap to take on every
 * split. A rewrite that keeps both (rare: `touch -r`, some copy tools) is caught
 * later, when a split does not hold the records the plan counted.
 */
export async function fingerprintOf(path: string): Promise<string> {
  let stats;
  try {
    stats = await stat(path);
  } catch (cause) {
    throw fileReadError(path, cause);
  }
  if (!stats.isFile()) {
    throw new EtlError('SOURCE_UNREADABLE', `${path} is not readable: not a regular file`, { details: { path } });
  }
  return `${stats.size}:${stats.mtimeMs}`;
}

/** Refuses to read a split of content other than what was planned (ADR 0004). */
export async function assertFingerprint(path: string, planned: string): Promise<void> {
  const now = await fingerprintOf(path);
  if (now !== planned) throw sourceChanged(path, `its size:mtime is ${now}, the plan was made of ${planned}`, { planned, now });
}

export function sourceChanged(path: string, why: string, details: Record<string, unknown> = {}): EtlError {
  return new EtlError('SOURCE_CHANGED', `${path} changed since the run was planned (${why}); trigger a new run to read it again`, {
    details: { path, ...details },
  });
}
