import type { RunRecord } from '@brokered-etl/staging';
import { splitTotalsIfAllDone } from '@brokered-etl/staging';
import type { StageDeps } from './stage.deps';

/**
 * When every split of a run is done, the source has ended: its totals are
 * set and the completion check runs. Called by whoever may have finished the
 * last split (and by the planner for an empty source); every step is
 * idempotent, and the check runs again on a redelivery, so a crash between
 * "source ended" and "completed" cannot leave the run open.
 */
export async function finishExtractionIfDone(deps: StageDeps, run: RunRecord, stage: string): Promise<void> {
  const now = deps.now ?? (() => new Date());
  const totals = splitTotalsIfAllDone(run);
  if (!totals) return;
  if (!run.sourceEndedAt) {
    await deps.staging.markSourceEnded(run.runId, { totalChunks: totals.chunks, totalRecords: totals.records }, now());
    await deps.events.emit({ runId: run.runId, pipeline: run.pipeline, stage, type: 'source.ended', records: totals.records, message: `${totals.splits} splits, ${totals.chunks} chunks` });
  }
  const completed = await deps.staging.completeRunIfDone(run.runId, now());
  if (completed) await deps.events.emit({ runId: run.runId, pipeline: run.pipeline, stage, type: 'run.completed', records: completed.counts?.loaded ?? null, rejected: completed.counts?.rejected ?? null });
}
