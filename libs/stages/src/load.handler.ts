import { HEADERS, type Chunk } from '@brokered-etl/contracts';
import type { HandlerContext, InboundMessage } from '@brokered-etl/messaging';
import { contentDigest } from '@brokered-etl/staging';
import { requirePipeline } from './pipeline-lookup';
import { recordPatchIndex } from './record-patch';
import { resumeIfRedriven } from './run-resume';
import type { LoaderDeps } from './stage.deps';
import { markLoadedInput } from './unchanged-input';

const STAGE = 'loader';

/**
 * Transformed chunk → each document replaced by the pipeline's deterministic
 * _id, then the chunk is marked loaded and the run completes once every chunk
 * is. A chunk whose documents the target already holds with the same content
 * (the same digest) is not written again: reloading an unchanged source costs
 * a read per chunk. A rerun from load and a redriven record always write (a
 * repair). Any number of redeliveries leaves the same documents and counts.
 */
export function createLoadHandler(deps: LoaderDeps) {
  const now = deps.now ?? (() => new Date());
  return async function load(message: InboundMessage<Chunk<Record<string, unknown>>>, context: HandlerContext): Promise<void> {
    const chunk = message.value;
    await resumeIfRedriven(deps, message, chunk.runId);
    const pipeline = requirePipeline(deps, chunk.pipeline);
    const patchOf = recordPatchIndex(message.headers);
    const content = chunk.records.map((record) => pipeline.target.documentOf(record));
    // lineage says which run wrote the content; it is not content, so a new run of the same file is "unchanged"
    const digest = contentDigest(content);
    // `etl rerun --from load` is a repair: it writes whatever the target holds; a rerun from transform or an offset replay skips what is unchanged
    const skippable = patchOf === undefined && !(message.headers[HEADERS.replayOf] ?? '').startsWith('rerun:load:');
    const documents = content.map((doc) => ({ ...doc, _lineage: { runId: chunk.runId, chunkSeq: chunk.chunkSeq } }));
    const written = await deps.target.upsertMany(pipeline.target.collection, documents, skippable ? { digest } : {});
    // a clean chunk's input is remembered once its documents are in: a later run of the same input can skip it whole
    if (skippable) await markLoadedInput(deps, message.headers, { runId: chunk.runId, digestId: written.digestId, digest, records: documents.length });
    const generation = Number(message.headers[HEADERS.generation] ?? 0);
    if (patchOf === undefined) await deps.staging.markChunk(chunk.runId, chunk.chunkSeq, { loaded: { records: documents.length, at: now(), generation, digest, ...(written.unchanged ? { unchanged: true } : {}) } });
    else await deps.staging.markRecordPatch(chunk.runId, chunk.chunkSeq, patchOf, { loaded: { records: documents.length, at: now() } });
    await deps.events.emit({ runId: chunk.runId, pipeline: pipeline.name, stage: STAGE, type: 'chunk.loaded', chunkSeq: chunk.chunkSeq, records: documents.length, ...(written.unchanged ? { message: 'unchanged: already in the target' } : {}) });
    deps.metrics.recordsIn(pipeline.name, chunk.records.length);
    deps.metrics.recordsOut(pipeline.name, documents.length);
    await deps.progress?.touch(chunk.runId, STAGE);

    const completed = await deps.staging.completeRunIfDone(chunk.runId, now());
    if (completed) context.logger.child({ module: 'load' }).info('run complete', { runId: chunk.runId, pipeline: pipeline.name, counts: completed.counts });
    if (completed) await deps.events.emit({ runId: chunk.runId, pipeline: pipeline.name, stage: STAGE, type: 'run.completed', records: completed.counts?.loaded ?? null, rejected: completed.counts?.rejected ?? null });
  };
}
