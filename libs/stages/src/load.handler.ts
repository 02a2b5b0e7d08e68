import { HEADERS, type Chunk } from '@brokered-etl/contracts';
import type { HandlerContext, InboundMessage } from '@brokered-etl/messaging';
import { requirePipeline } from './pipeline-lookup';
import { recordPatchIndex } from './record-patch';
import { resumeIfRedriven } from './run-resume';
import type { LoaderDeps } from './stage.deps';

const STAGE = 'loader';

/**
 * Transformed chunk → upserts by the pipeline's deterministic _id, then the
 * chunk is marked loaded and the run completes once every chunk is. Any
 * number of redeliveries leaves the same documents and the same counts.
 */
export function createLoadHandler(deps: LoaderDeps) {
  const now = deps.now ?? (() => new Date());
  return async function load(message: InboundMessage<Chunk<Record<string, unknown>>>, context: HandlerContext): Promise<void> {
    const chunk = message.value;
    await resumeIfRedriven(deps, message, chunk.runId);
    const pipeline = requirePipeline(deps, chunk.pipeline);
    const documents = chunk.records.map((record) => ({ ...pipeline.target.documentOf(record), _lineage: { runId: chunk.runId, chunkSeq: chunk.chunkSeq } }));
    await deps.target.upsertMany(pipeline.target.collection, documents);
    const generation = Number(message.headers[HEADERS.generation] ?? 0);
    const patchOf = recordPatchIndex(message.headers);
    if (patchOf === undefined) await deps.staging.markChunk(chunk.runId, chunk.chunkSeq, { loaded: { records: documents.length, at: now(), generation } });
    else await deps.staging.markRecordPatch(chunk.runId, chunk.chunkSeq, patchOf, { loaded: { records: documents.length, at: now() } });
    await deps.events.emit({ runId: chunk.runId, pipeline: pipeline.name, stage: STAGE, type: 'chunk.loaded', chunkSeq: chunk.chunkSeq, records: documents.length });
    deps.metrics.recordsIn(pipeline.name, chunk.records.length);
    deps.metrics.recordsOut(pipeline.name, documents.length);
    await deps.progress?.touch(chunk.runId, STAGE);

    const completed = await deps.staging.completeRunIfDone(chunk.runId, now());
    if (completed) context.logger.child({ module: 'load' }).info('run complete', { runId: chunk.runId, pipeline: pipeline.name, counts: completed.counts });
    if (completed) await deps.events.emit({ runId: chunk.runId, pipeline: pipeline.name, stage: STAGE, type: 'run.completed', records: completed.counts?.loaded ?? null, rejected: completed.counts?.rejected ?? null });
  };
}
