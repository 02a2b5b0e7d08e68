import { HEADERS, type ExtractSplit, type RunRequested } from '@brokered-etl/contracts';
import { classify, errorCodeOf, errorMessageOf } from '@brokered-etl/errors';
import type { HandlerContext, InboundMessage } from '@brokered-etl/messaging';
import type { RunRecord, StagedPlan } from '@brokered-etl/staging';
import { requirePipeline } from './pipeline-lookup';
import { finishExtractionIfDone } from './split-completion';
import { sourceForRun, validateParams, withoutInlineRecords } from '@brokered-etl/pipeline-kit';
import { DEFAULT_EXTRACTION, sourceRootsOf, type StageDeps } from './stage.deps';

const STAGE = 'extractor';

/** The split message of one planned split; published by the planner and by each split's predecessor. */
export function splitMessageOf(plan: StagedPlan, splitSeq: number, params: Record<string, string>) {
  const split = plan.splits[splitSeq]!;
  const value: ExtractSplit = {
    runId: plan.runId,
    pipeline: plan.pipeline,
    splitSeq,
    splitCount: plan.splits.length,
    firstRecordIndex: split.firstRecordIndex,
    recordCount: split.recordCount,
    rangeUnit: split.range.unit,
    rangeStart: split.range.start,
    rangeEnd: split.range.end,
    fingerprint: plan.fingerprint,
    params,
  };
  // keyed by split: one run's splits spread over every partition, so every extractor gets some
  return { key: `${plan.runId}:${splitSeq}`, value };
}

/** Queues the first window of a run's splits; the staged plan's window, not this instance's setting, since every successor follows from it. */
export async function queueSplits(deps: StageDeps, plan: StagedPlan, run: RunRecord, traceId: string): Promise<void> {
  const window = plan.splits.slice(0, plan.splitWindow).map((s) => splitMessageOf(plan, s.splitSeq, run.params));
  const headers = { [HEADERS.runId]: run.runId, [HEADERS.pipeline]: plan.pipeline, [HEADERS.traceId]: traceId, [HEADERS.generation]: String(run.generation ?? 0) };
  await deps.producer.send(deps.topics.splits, await Promise.all(window.map(async ({ key, value }) => ({ key, value: await deps.registry.encode(deps.schemas.splits, value), headers }))));
}

/**
 * RunRequested → the run's plan: its source cut into bounded splits (staged
 * once per run), and the first window of splits queued on the splits topic.
 * Cheap and bounded: planning reads metadata or scans bytes, never records.
 * A redelivered trigger reuses the staged plan and queues the window again;
 * splits already done are skipped by their extractor.
 */
export function createPlanHandler(deps: StageDeps) {
  const now = deps.now ?? (() => new Date());
  const { splitRecords, splitWindow } = deps.extraction ?? DEFAULT_EXTRACTION;
  const sourceRoots = sourceRootsOf(deps);
  return async function plan(message: InboundMessage<RunRequested>, context: HandlerContext): Promise<void> {
    const log = context.logger.child({ module: 'plan' });
    /**
     * The dead letter of a trigger fails its run (recordingDeadLetters) when the
     * message names its run in a header, as run control's triggers do; a trigger
     * produced without one is failed here, so it cannot sit `requested` forever.
     */
    const failRunOnPermanent = async <T>(runId: string, pipeline: string, work: () => Promise<T>): Promise<T> => {
      try {
        return await work();
      } catch (err) {
        if (!message.headers[HEADERS.runId] && classify(err) === 'dead-letter') {
          const failure = { code: errorCodeOf(err), message: `${errorMessageOf(err)} (at ${STAGE}; its trigger is dead-lettered: etl dlq list --run ${runId})` };
          await deps.staging.failRun(runId, failure, now());
          await deps.events.emit({ runId, pipeline, stage: STAGE, type: 'run.failed', message: failure.message });
        }
        throw err;
      }
    };
    const request = message.value;
    const { runId } = request;
    await deps.staging.createRun({ runId, pipeline: request.pipeline, params: request.params, requestedBy: request.requestedBy, status: 'requested', requestedAt: request.requestedAt });
    let run = await deps.staging.getRun(runId);
    if (run?.status === 'failed' && message.headers[HEADERS.redriveOf]) {
      // a redriven trigger of a failed run (its cause fixed): plan the source again, in a new generation
      await deps.staging.reopenRun(runId, now());
      await deps.staging.resetExtraction(runId);
      run = await deps.staging.getRun(runId);
    }
    if (!run || run.status === 'failed' || run.status === 'completed') {
      log.info('run already finished, ignoring repeated trigger', { runId, status: run?.status });
      return;
    }

    const pipeline = await failRunOnPermanent(runId, request.pipeline, async () => requirePipeline(deps, request.pipeline));
    await deps.staging.markRunStarted(runId, now());
    let staged = await deps.staging.getPlan(runId);
    if (!staged) {
      const planned = await failRunOnPermanent(runId, pipeline.name, async () => {
        // run control checked these as the run was requested; a trigger produced some other way (or a forged one) is checked again here
        validateParams(pipeline.params, withoutInlineRecords(request.params), { sourceRoots, requireFiles: false });
        // a run with inline records (POST /runs {records}) plans them as one split instead of reading its source
        return sourceForRun(pipeline.source, pipeline.extractedRecord).plan(request.params, { splitRecords, sourceRoots });
      });
      staged = await deps.staging.savePlan({ runId, pipeline: pipeline.name, ...planned, splitRecords, splitWindow, plannedAt: now() });
      await deps.events.emit({ runId, pipeline: pipeline.name, stage: STAGE, type: 'run.started', records: staged.totalRecords, message: `${staged.splits.length} splits` });
      log.info('source planned', { runId, pipeline: pipeline.name, sourceId: staged.sourceId, splits: staged.splits.length, records: staged.totalRecords });
    }
    await deps.progress?.touch(runId, STAGE);

    if (staged.splits.length === 0) {
      // an empty source: no split and no chunk will ever come, so the run ends here
      await finishExtractionIfDone(deps, (await deps.staging.getRun(runId))!, staged, STAGE, log);
      return;
    }
    await queueSplits(deps, staged, run, message.headers[HEADERS.traceId] ?? runId);
  };
}
