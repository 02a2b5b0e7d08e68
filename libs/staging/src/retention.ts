import { EtlError } from '@brokered-etl/errors';
import type { PruneOptions } from './staging.types';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** "30d", "12h", "90m", "2w" → milliseconds; anything else is BAD_PARAMS naming what was given. */
export function parseAge(text: string, what = 'age'): number {
  const match = /^(\d+)([mhdw])$/.exec(text.trim());
  if (!match) throw new EtlError('BAD_PARAMS', `${what} "${text}" must be a number and a unit: m, h, d or w (e.g. 30d)`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** A retention policy as ages ("30d") → the cutoffs pruneRuns takes, relative to `now`. */
export function pruneOptionsOf(policy: { olderThan: string; payloadsOlderThan?: string; keepFailed?: boolean; dryRun?: boolean }, now = new Date()): PruneOptions {
  const before = (age: string, what: string) => new Date(now.getTime() - parseAge(age, what));
  const runsBefore = before(policy.olderThan, 'older than');
  const payloadsBefore = policy.payloadsOlderThan === undefined ? undefined : before(policy.payloadsOlderThan, 'payloads older than');
  if (payloadsBefore && payloadsBefore < runsBefore) throw new EtlError('BAD_PARAMS', `payloads older than (${policy.payloadsOlderThan}) must not be longer than older than (${policy.olderThan}): payloads go first`);
  return { runsBefore, payloadsBefore, keepFailed: policy.keepFailed, dryRun: policy.dryRun };
}
