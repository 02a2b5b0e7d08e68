import type { Logger } from '@brokered-etl/observability';
import type { RunRecord, StagedPlan } from '@brokered-etl/staging';
import type { StageDeps } from './stage.deps';

/**
 * The splits that end their chains: split s queues s + window only once s is
 * done, so every split is done exactly when the last split of every chain is
 * (ADR 0004). Checking these few by `_id` replaces counting all of them.
 */
export function chainEnds(plan: Pick<StagedPlan, 'splits' | 'splitWindow'>): number[] {
  const count = plan.splits.length;
  return Array.from({ length: Math.min(plan.splitWindow, count) }, (_, i) => count - 1 - i).reverse();
}

/**
 * When every split of a run is done, the source has ended: its totals are
 * set and the completion check runs. Called by the split that may have been
 * the last (one that ends its chain) and by the planner for an empty source;
 * every step is idempotent, and the check runs again on a redelivery, so a
 * crash between "source ended" and "completed" cannot leave the run open.
 */
export async function finishExtractionIfDone(deps: StageDeps, run: RunRecord, plan: Pick<StagedPlan, 'splits' | 'splitWindow'>, stage: string, log: Logger): Promise<void> {
  const now = deps.now ?? (() => new Date());
  const ends = chainEnds(plan);
  if ((await deps.staging.splitsDone(run.runId, ends)).size < ends.length) return;
  if (!run.sourceEndedAt) {
    // every chunk is marked extracted before its split is marked done: the ledger has the totals
    const counts = await deps.staging.countRun(run.runId);
    await deps.staging.markSourceEnded(run.runId, { totalChunks: counts.chunksExtracted, totalRecords: counts.extracted }, now());
    await deps.events.emit({ runId: run.runId, pipeline: run.pipeline, stage, type: 'source.ended', records: counts.extracted, message: `${plan.splits.length} splits, ${counts.chunksExtracted} chunks` });
    log.info('source ended', { runId: run.runId, pipeline: run.pipeline, splits: plan.splits.length, totalChunks: counts.chunksExtracted, totalRecords: counts.extracted });
  }
  const completed = await deps.staging.completeRunIfDone(run.runId, now());
  if (completed) await deps.events.emit({ runId: run.runId, pipeline: run.pipeline, stage, type: 'run.completed', records: completed.counts?.loaded ?? null, rejected: completed.counts?.rejected ?? null });
}
