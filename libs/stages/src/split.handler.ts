import { HEADERS, type Chunk, type ExtractSplit } from '@brokered-etl/contracts';
import { EtlError } from '@brokered-etl/errors';
import type { HandlerContext, InboundMessage } from '@brokered-etl/messaging';
import { chunkRecords, DEFAULT_CHUNK_LIMITS, sourceForRun, type SourceSplit } from '@brokered-etl/pipeline-kit';
import type { RunRecord, SplitTotals, StagedPlan } from '@brokered-etl/staging';
import { chunkHeaders, requirePipeline } from './pipeline-lookup';
import { splitMessageOf } from './plan.handler';
import { resumeIfRedriven } from './run-resume';
import { finishExtractionIfDone } from './split-completion';
import { sourceRootsOf, type StageDeps } from './stage.deps';
import { createUnchangedInputs } from './unchanged-input';

const STAGE = 'extractor';

/** chunkSeq = splitSeq × this + n: deterministic across redone splits and extractor instances (ADR 0004). */
export const CHUNKS_PER_SPLIT = 1000;

const splitOf = (message: ExtractSplit): SourceSplit => ({
  splitSeq: message.splitSeq,
  firstRecordIndex: message.firstRecordIndex,
  recordCount: message.recordCount,
  range: { unit: message.rangeUnit === 'bytes' ? 'bytes' : 'rows', start: message.rangeStart, end: message.rangeEnd },
});

/**
 * ExtractSplit → the split's records in bounded chunks: each staged
 * (deterministic id), produced and counted; then the split is marked done,
 * the run's next split is queued, and the last split ends the source.
 * A split is seconds of work; a crash or a rebalance redoes this split only.
 */
export function createSplitHandler(deps: StageDeps) {
  const now = deps.now ?? (() => new Date());
  const sourceRoots = sourceRootsOf(deps);
  const unchanged = createUnchangedInputs(deps);

  /** Marked after it was produced, with the same records, in the run's current generation. */
  async function alreadyProduced(runId: string, chunkSeq: number, records: number, generation: number): Promise<boolean> {
    const mark = await deps.staging.extractedMark(runId, chunkSeq);
    return mark !== undefined && mark.records === records && (mark.generation ?? 0) === generation;
  }

  async function extractChunks(message: InboundMessage<ExtractSplit>, run: RunRecord, plan: StagedPlan, context: HandlerContext): Promise<SplitTotals & { skipped: number }> {
    const split = message.value;
    const pipeline = requirePipeline(deps, split.pipeline);
    const limits = { ...DEFAULT_CHUNK_LIMITS, ...pipeline.chunkLimits };
    const schemaId = deps.schemas.extracted.get(pipeline.name)!;
    const topic = deps.topics.data(pipeline.name, 'extracted');
    const totals = { chunks: 0, records: 0, skipped: 0 };
    const scope = await unchanged.scopeOf(pipeline, run, plan, split.params, message.headers);
    for await (const piece of chunkRecords(sourceForRun(pipeline.source, pipeline.extractedRecord).read(split.params, splitOf(split), split.fingerprint, { sourceRoots }), limits)) {
      // a rebalance or a shutdown: stop here, uncommitted; whoever owns the split next redoes it
      if (context.signal.aborted) throw new Error(`split ${split.splitSeq} of ${split.runId} abandoned: partition revoked or worker stopping`);
      if (piece.chunkSeq >= CHUNKS_PER_SPLIT) {
        throw new EtlError('BAD_PARAMS', `split ${split.splitSeq} needs more than ${CHUNKS_PER_SPLIT} chunks: lower EXTRACT_SPLIT_RECORDS (now ${split.recordCount} records per split)`);
      }
      const chunkSeq = split.splitSeq * CHUNKS_PER_SPLIT + piece.chunkSeq;
      const firstRecordIndex = split.firstRecordIndex + piece.firstRecordIndex;
      totals.chunks++;
      totals.records += piece.records.length;
      // a split redone after a crash or a rebalance: what was produced (and marked) in this generation is not sent again
      if (await alreadyProduced(split.runId, chunkSeq, piece.records.length, run.generation ?? 0)) continue;
      const inputKey = scope && unchanged.keyOf(scope, firstRecordIndex, piece.records);
      if (inputKey && (await unchanged.skipIfLoaded(inputKey, split.runId, chunkSeq, piece.records.length, run.generation ?? 0))) {
        totals.skipped++;
        await context.heartbeat();
        continue;
      }
      const chunk: Chunk<unknown> = { runId: split.runId, pipeline: pipeline.name, chunkSeq, firstRecordIndex, records: piece.records };
      const payload = await deps.registry.encode(schemaId, chunk);
      // staged before produced: whatever reaches Kafka can be rerun from staging, byte for byte
      await deps.staging.stageChunk({ runId: split.runId, pipeline: pipeline.name, stage: 'extracted', chunkSeq, firstRecordIndex, recordCount: piece.records.length, payload, stagedAt: now() });
      await deps.producer.send(topic, [
        {
          key: `${split.runId}:${chunkSeq}`,
          value: payload,
          headers: chunkHeaders(split.runId, pipeline.name, chunkSeq, STAGE, {
            [HEADERS.traceId]: message.headers[HEADERS.traceId] ?? split.runId,
            [HEADERS.generation]: String(run.generation ?? 0),
            ...(inputKey && { [HEADERS.inputKey]: inputKey }),
          }),
        },
      ]);
      await deps.staging.markChunk(split.runId, chunkSeq, { extracted: { records: piece.records.length, at: now(), generation: run.generation ?? 0 } });
      await context.heartbeat();
    }
    if (totals.records !== split.recordCount) {
      throw new EtlError('SOURCE_CHANGED', `split ${split.splitSeq} of ${split.runId} gave ${totals.records} records where the plan has ${split.recordCount}: the source changed since it was planned`);
    }
    return totals;
  }

  /** The run's next split, so a run never has more than the window queued (ADR 0004). */
  async function queueSuccessor(message: InboundMessage<ExtractSplit>, plan: StagedPlan): Promise<void> {
    const split = message.value;
    const next = split.splitSeq + plan.splitWindow;
    if (!plan.splits[next]) return;
    const { key, value } = splitMessageOf(plan, next, split.params);
    const headers = { ...message.headers };
    delete headers[HEADERS.redriveOf];
    await deps.producer.send(deps.topics.splits, [{ key, value: await deps.registry.encode(deps.schemas.splits, value), headers }]);
  }

  return async function extractSplit(message: InboundMessage<ExtractSplit>, context: HandlerContext): Promise<void> {
    const log = context.logger.child({ module: 'split' });
    const split = message.value;
    // this split's dead letter failed the run; redriven, it carries the run on where it stopped
    await resumeIfRedriven(deps, message, split.runId);
    const run = await deps.staging.getRun(split.runId);
    if (!run) throw new EtlError('NOT_FOUND', `split ${split.splitSeq} of unknown run "${split.runId}"`);
    if (run.status === 'failed' || run.status === 'completed') {
      // a failed run's remaining splits are not worth extracting; the chain of successors ends here
      log.info('run finished, skipping split', { runId: split.runId, splitSeq: split.splitSeq, status: run.status });
      return;
    }
    const plan = await deps.staging.getPlan(split.runId);
    if (!plan) throw new EtlError('NOT_FOUND', `split ${split.splitSeq} of run "${split.runId}", which has no staged plan (was its extraction reset?)`);
    if ((await deps.staging.splitsDone(split.runId, [split.splitSeq])).size === 0) {
      const { skipped, ...totals } = await extractChunks(message, run, plan, context);
      await deps.staging.markSplitDone(split.runId, split.splitSeq, totals);
      deps.metrics.recordsIn(split.pipeline, totals.records);
      deps.metrics.recordsOut(split.pipeline, totals.records);
      await deps.events.emit({ runId: split.runId, pipeline: split.pipeline, stage: STAGE, type: 'split.extracted', chunkSeq: split.splitSeq, records: totals.records, message: `split ${split.splitSeq + 1}/${split.splitCount}, ${totals.chunks} chunks${skipped ? `, ${skipped} skipped (unchanged input)` : ''}` });
      await deps.progress?.touch(split.runId, STAGE);
      log.info('split extracted', { runId: split.runId, splitSeq: split.splitSeq, splitCount: split.splitCount, chunks: totals.chunks, records: totals.records, skipped });
    }
    // queued even when the split was already done: a crash after the mark must not break the chain
    await queueSuccessor(message, plan);
    if (!plan.splits[split.splitSeq + plan.splitWindow]) await finishExtractionIfDone(deps, run, plan, STAGE, log);
  };
}
