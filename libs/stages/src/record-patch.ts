import { HEADERS } from '@brokered-etl/contracts';
import type { StageDeps } from './stage.deps';

const PREFIX = 'record:';

/**
 * A redriven rejected record travels as a one-record chunk marked
 * `etl-replay-of: record:<index>`: a patch of its chunk, accounted on its own
 * so the chunk's staged artifacts and counts stay as they were.
 */
export function recordPatchIndex(headers: Record<string, string>): number | undefined {
  const value = headers[HEADERS.replayOf];
  return value?.startsWith(PREFIX) ? Number(value.slice(PREFIX.length)) : undefined;
}

export function recordPatchHeader(recordIndex: number): string {
  return `${PREFIX}${recordIndex}`;
}

export const rejectionId = (stage: string, runId: string, chunkSeq: number, recordIndex: number) => `${stage}:${runId}:${chunkSeq}:${recordIndex}`;

/**
 * A redriven whole message (not a record patch) is the one whose dead letter
 * failed its run: the run goes on in its generation. A record patch never
 * failed its run, so it never resumes one that failed for another reason.
 */
export async function resumeIfRedriven(deps: Pick<StageDeps, 'staging' | 'now'>, message: { headers: Record<string, string> }, runId: string): Promise<void> {
  if (!message.headers[HEADERS.redriveOf] || recordPatchIndex(message.headers) !== undefined) return;
  await deps.staging.resumeRun(runId, (deps.now ?? (() => new Date()))());
}
