import type { StagingStore } from '@brokered-etl/staging';

export interface ProgressMarker {
  /** Notes that `stage` moved the run; written at most once per interval per run by this worker. */
  touch(runId: string, stage: string): Promise<void>;
}

/**
 * Progress is what the stall watchdog reads. One write per chunk per stage
 * would add a round trip to every chunk, so each worker writes a run's
 * progress at most every `minIntervalMs` (far below the stall limit).
 */
export function createProgressMarker(staging: StagingStore, options: { minIntervalMs?: number; now?: () => Date } = {}): ProgressMarker {
  const minIntervalMs = options.minIntervalMs ?? 5_000;
  const now = options.now ?? (() => new Date());
  const lastWrite = new Map<string, number>();
  return {
    async touch(runId, stage) {
      const at = now();
      if (at.getTime() - (lastWrite.get(runId) ?? -Infinity) < minIntervalMs) return;
      // a long-lived worker sees many runs: keep the recent ones (Map keeps insertion order)
      if (lastWrite.size >= 1024) lastWrite.delete(lastWrite.keys().next().value!);
      lastWrite.set(runId, at.getTime());
      await staging.markProgress(runId, stage, at);
    },
  };
}

export const noopProgress: ProgressMarker = { touch: async () => undefined };
