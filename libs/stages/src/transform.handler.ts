import { HEADERS, type Chunk, type DeadLetter } from '@brokered-etl/contracts';
import { classify, errorCodeOf, errorMessageOf } from '@brokered-etl/errors';
import { deadLetterOf, type HandlerContext, type InboundMessage } from '@brokered-etl/messaging';
import type { Rejection } from '@brokered-etl/staging';
import { chunkHeaders, requirePipeline } from './pipeline-lookup';
import { recordPatchHeader, recordPatchIndex, rejectionId } from './record-patch';
import { resumeIfRedriven } from './run-resume';
import { sourceRootsOf, type StageDeps } from './stage.deps';

const STAGE = 'transformer';

type TransformFn = (raw: unknown, context: { runId: string; params: Record<string, string>; signal: AbortSignal }) => unknown;

/**
 * Extracted chunk → transformed chunk. A record that fails validation is
 * rejected alone (staged rejection + dead letter carrying a one-record chunk
 * that can be redriven); the rest of the chunk goes on. Transient errors
 * (a slow or absent dependency) fail the whole chunk so the runtime retries it.
 */
export function createTransformHandler(deps: StageDeps) {
  const now = deps.now ?? (() => new Date());
  const transforms = new Map<string, Promise<TransformFn>>();
  const sourceRoots = sourceRootsOf(deps);
  const paramsCache = new Map<string, Record<string, string>>();

  const transformOf = (name: string) => {
    const pipeline = requirePipeline(deps, name);
    if (!transforms.has(name)) {
      const created = pipeline.createTransform({ sourceRoots }) as Promise<TransformFn>;
      // a failed build (reference data missing) is not kept: the next chunk tries again once the cause is fixed
      created.catch(() => transforms.delete(name));
      transforms.set(name, created);
    }
    return { pipeline, transform: transforms.get(name)! };
  };

  async function paramsOf(runId: string): Promise<Record<string, string>> {
    const cached = paramsCache.get(runId);
    if (cached) return cached;
    const params = (await deps.staging.getRun(runId))?.params ?? {};
    // a long-lived worker sees many runs: keep the recent ones (Map keeps insertion order)
    if (paramsCache.size >= 256) paramsCache.delete(paramsCache.keys().next().value!);
    paramsCache.set(runId, params);
    return params;
  }

  /** A redriven record: resolved and sent on when it now passes; dead-lettered again (same id) when not. */
  async function transformPatch(pipeline: string, runId: string, chunkSeq: number, recordIndex: number, payload: Buffer | undefined): Promise<void> {
    if (!payload) return;
    await deps.staging.resolveRejection(rejectionId(STAGE, runId, chunkSeq, recordIndex), now());
    await deps.staging.markRecordPatch(runId, chunkSeq, recordIndex, { transformed: { records: 1, rejected: -1, at: now() } });
    await deps.producer.send(deps.topics.data(pipeline, 'transformed'), [
      { key: `${runId}:${chunkSeq}:r${recordIndex}`, value: payload, headers: chunkHeaders(runId, pipeline, chunkSeq, STAGE, { [HEADERS.replayOf]: recordPatchHeader(recordIndex) }) },
    ]);
  }

  return async function transform(message: InboundMessage<Chunk<Record<string, unknown>>>, context: HandlerContext): Promise<void> {
    const chunk = message.value;
    await resumeIfRedriven(deps, message, chunk.runId);
    const { pipeline, transform: pending } = transformOf(chunk.pipeline);
    const fn = await pending;
    const params = await paramsOf(chunk.runId);
    const extractedSchema = deps.schemas.extracted.get(pipeline.name)!;

    const out: unknown[] = [];
    const rejections: Rejection[] = [];
    const deadLetters: DeadLetter[] = [];
    for (const [i, raw] of chunk.records.entries()) {
      const recordIndex = chunk.firstRecordIndex + i;
      try {
        out.push(await fn(raw, { runId: chunk.runId, params, signal: context.signal }));
      } catch (err) {
        // only a record that fails validation is rejected alone; anything else (a dependency away, reference data missing) is the chunk's problem
        if (classify(err) !== 'dead-letter' || errorCodeOf(err) !== 'VALIDATION_FAILED') throw err;
        const reason = errorMessageOf(err);
        const id = rejectionId(STAGE, chunk.runId, chunk.chunkSeq, recordIndex);
        const record = JSON.stringify(raw);
        rejections.push({ id, runId: chunk.runId, pipeline: pipeline.name, stage: STAGE, chunkSeq: chunk.chunkSeq, recordIndex, errorCode: errorCodeOf(err), reason, record, rejectedAt: now() });
        const single: Chunk<unknown> = { runId: chunk.runId, pipeline: pipeline.name, chunkSeq: chunk.chunkSeq, firstRecordIndex: recordIndex, records: [raw] };
        deadLetters.push({
          ...deadLetterOf(STAGE, message, err, message.attempt, now()),
          id,
          runId: chunk.runId,
          pipeline: pipeline.name,
          // one record, re-encoded as an extracted chunk: redriving it reprocesses just this record
          value: await deps.registry.encode(extractedSchema, single),
          headers: [...message.rawHeaders.filter((h) => h.key !== HEADERS.replayOf && h.key !== HEADERS.redriveOf), { key: HEADERS.replayOf, value: Buffer.from(recordPatchHeader(recordIndex)) }],
          chunkSeq: chunk.chunkSeq,
          recordIndex,
          record,
        });
      }
      if (i % 500 === 499) await context.heartbeat();
    }

    const payload = await deps.registry.encode(deps.schemas.transformed.get(pipeline.name)!, { ...chunk, records: out });
    const patchOf = recordPatchIndex(message.headers);
    if (patchOf !== undefined) {
      await transformPatch(pipeline.name, chunk.runId, chunk.chunkSeq, patchOf, out.length === 1 ? payload : undefined);
      for (const deadLetter of deadLetters) await deps.deadLetters.publish(deadLetter);
      await deps.staging.recordRejections(rejections);
    } else {
      await deps.staging.stageChunk({ runId: chunk.runId, pipeline: pipeline.name, stage: 'transformed', chunkSeq: chunk.chunkSeq, firstRecordIndex: chunk.firstRecordIndex, recordCount: out.length, payload, stagedAt: now() });
      await deps.staging.recordRejections(rejections);
      for (const deadLetter of deadLetters) await deps.deadLetters.publish(deadLetter);
      await deps.producer.send(deps.topics.data(pipeline.name, 'transformed'), [
        { key: `${chunk.runId}:${chunk.chunkSeq}`, value: payload, headers: chunkHeaders(chunk.runId, pipeline.name, chunk.chunkSeq, STAGE, passThrough(message.headers)) },
      ]);
      await deps.staging.markChunk(chunk.runId, chunk.chunkSeq, { transformed: { records: out.length, rejected: rejections.length, at: now() } });
      await deps.events.emit({ runId: chunk.runId, pipeline: pipeline.name, stage: STAGE, type: 'chunk.transformed', chunkSeq: chunk.chunkSeq, records: out.length, rejected: rejections.length });
    }
    await deps.progress?.touch(chunk.runId, STAGE);
    // counted once the chunk's work is done: a transient failure retries the chunk and must not count it twice
    deps.metrics.recordsIn(pipeline.name, chunk.records.length);
    deps.metrics.recordsOut(pipeline.name, out.length);
    deps.metrics.rejected(pipeline.name, rejections.length);
  };
}

/** Lineage headers that follow a chunk downstream. */
export function passThrough(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of [HEADERS.traceId, HEADERS.replayOf, HEADERS.generation]) if (headers[key] !== undefined) out[key] = headers[key];
  return out;
}
