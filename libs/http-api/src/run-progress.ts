import { sleep } from '@brokered-etl/lifecycle';
import type { RunRecord } from '@brokered-etl/staging';
import type { ApiRunControl } from './api.options';

/** What a client sees of a run while it moves: status, counts, totals, timings. */
export interface RunSnapshot {
  runId: string;
  pipeline: string;
  status: RunRecord['status'];
  generation: number;
  counts: NonNullable<RunRecord['counts']> | null;
  totalChunks: number | null;
  totalRecords: number | null;
  requestedAt: Date;
  startedAt: Date | null;
  sourceEndedAt: Date | null;
  finishedAt: Date | null;
  /** Set by a rerun, which also moves startedAt to it. */
  reopenedAt: Date | null;
  failure: RunRecord['failure'] | null;
  /** Splits planned and finished (ADR 0004); null before planning. */
  splits: { done: number; total: number } | null;
  stall: RunRecord['stall'] | null;
}

const isFinished = (status: RunRecord['status']) => status === 'completed' || status === 'failed';

function snapshotOf(run: RunRecord): RunSnapshot {
  return {
    runId: run.runId,
    pipeline: run.pipeline,
    status: run.status,
    generation: run.generation ?? 0,
    counts: run.counts ?? null,
    totalChunks: run.totalChunks ?? null,
    totalRecords: run.totalRecords ?? null,
    requestedAt: run.requestedAt,
    startedAt: run.startedAt ?? null,
    sourceEndedAt: run.sourceEndedAt ?? null,
    finishedAt: run.finishedAt ?? null,
    reopenedAt: run.reopenedAt ?? null,
    failure: run.failure ?? null,
    splits: run.splitCount === undefined ? null : { done: run.counts?.splitsExtracted ?? 0, total: run.splitCount },
    stall: run.stall ?? null,
  };
}

export type ProgressEvent = { type: 'progress' | 'end'; snapshot: RunSnapshot };

/**
 * Polls a run's live counts and yields a `progress` event each time something
 * changed, then one `end` event once it completed or failed. A failed poll
 * (database away for a moment) is reported and polling goes on: the stream
 * stays, the client sees the next change. Stops when the signal aborts.
 */
export async function* followRun(
  control: Pick<ApiRunControl, 'describeRun'>,
  runId: string,
  options: { everyMs: number; signal: AbortSignal; onPollError?: (err: unknown) => void; first?: RunRecord },
): AsyncGenerator<ProgressEvent> {
  const poll = async () => {
    try {
      return await control.describeRun(runId);
    } catch (err) {
      options.onPollError?.(err);
      return undefined;
    }
  };
  let last = '';
  // a caller that already read the run (to answer 404) hands it over as the first poll
  let run = options.first;
  while (!options.signal.aborted) {
    run ??= await poll();
    if (run) {
      const snapshot = snapshotOf(run);
      if (isFinished(snapshot.status)) {
        yield { type: 'end', snapshot };
        return;
      }
      const key = JSON.stringify(snapshot);
      if (key !== last) {
        last = key;
        yield { type: 'progress', snapshot };
      }
    }
    run = undefined;
    await sleep(options.everyMs, options.signal);
  }
}
