import { HEADERS } from '@brokered-etl/contracts';

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

