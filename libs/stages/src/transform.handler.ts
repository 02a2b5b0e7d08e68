import { HEADERS, type Chunk, type DeadLetter } from '@brokered-etl/contracts';
import { reuseFetchedSince } from '@brokered-etl/enrichment';
import { classify, errorCodeOf, errorMessageOf, EtlError } from '@brokered-etl/errors';
import { deadLetterOf, type HandlerContext, type InboundMessage } from '@brokered-etl/messaging';
import type { AnyPipeline, TransformContext } from '@brokered-etl/pipeline-kit';
import type { Rejection } from '@brokered-etl/staging';
import { chunkHeaders, requirePipeline } from './pipeline-lookup';
import { recordPatchHeader, recordPatchIndex, rejectionId } from './record-patch';
import { resumeIfRedriven } from './run-resume';
import { sourceRootsOf, type StageDeps } from './stage.deps';

const STAGE = 'transformer';
/** Codes that reject one record (the rest of its chunk goes on); any other error is the whole chunk's. */
const RECORD_REJECTIONS: ReadonlySet<string> = new Set(['VALIDATION_FAILED', 'ENRICHMENT_REFUSED']);
const DEFAULT_ENRICHMENT_BUDGET_MS = 5_000;

type TransformFn = (raw: unknown, context: TransformContext) => unknown;

/** What the transform of a run's records needs from staging, read once per run. */
interface RunInfo {
  params: Record<string, string>;
  requestedAt: Date;
  source?: { id: string };
}

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
  const runCache = new Map<string, RunInfo>();

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

  async function runOf(runId: string): Promise<RunInfo> {
    const cached = runCache.get(runId);
    if (cached) return cached;
    const [run, plan] = await Promise.all([deps.staging.getRun(runId), deps.staging.getPlan(runId)]);
    const info: RunInfo = { params: run?.params ?? {}, requestedAt: run?.requestedAt ?? now() };
    if (plan?.sourceId) info.source = { id: plan.sourceId };
    // a long-lived worker sees many runs: keep the recent ones (Map keeps insertion order)
    if (runCache.size >= 256) runCache.delete(runCache.keys().next().value!);
    runCache.set(runId, info);
    return info;
  }

  /**
   * The pipeline's third-party call for the records that passed the transform.
   * Undefined when the time budget ran out first: the chunk goes back to the
   * end of its partition (its answers so far are staged) and the partition moves on.
   */
  async function enrich(pipeline: AnyPipeline, message: InboundMessage<Chunk<Record<string, unknown>>>, passed: Passed[], requestedAt: Date, context: HandlerContext) {
    const step = pipeline.enrichment;
    if (!step || passed.length === 0) return passed.map((p) => ({ ...p, error: undefined }));
    if (!deps.enrichment) throw new EtlError('NOT_FOUND', `pipeline ${pipeline.name} calls ${step.service}, but this transformer runs no enrichment`);
    const refresh = message.headers[HEADERS.enrichmentRefreshAt];
    const outcome = await deps.enrichment.enrich({
      pipeline: pipeline.name,
      step,
      runId: message.value.runId,
      records: passed.map((p) => p.out),
      reuseFetchedSince: reuseFetchedSince({ requestedAt }, step.limits.cacheTtlMs, refresh ? new Date(refresh) : undefined),
      signal: context.signal,
      deadlineAt: Date.now() + (deps.enrichmentBudgetMs ?? DEFAULT_ENRICHMENT_BUDGET_MS),
    });
    if (!outcome.done) {
      const waiting = `waiting on ${step.service}: ${outcome.waiting} pending`;
      context.logger.info(waiting, { service: step.service, pending: outcome.waiting, jobs: outcome.jobs, calls: outcome.calls, chunkSeq: message.value.chunkSeq });
      await deps.events.emit({ runId: message.value.runId, pipeline: pipeline.name, stage: STAGE, type: 'chunk.waiting', chunkSeq: message.value.chunkSeq, records: outcome.waiting, message: waiting });
      // what `etl runs show` and GET /runs/:id say until the chunk's transformed mark clears it
      await deps.staging.markChunk(message.value.runId, message.value.chunkSeq, { waiting: { service: step.service, pending: outcome.waiting, at: now() } });
      const headers: Record<string, Buffer> = {};
      for (const h of message.rawHeaders) if (h.value !== null) headers[h.key] = h.value;
      // the same bytes, key and headers: it lands behind this offset on the same partition, and comes back to staged answers
      await deps.producer.sendRaw(message.topic, [{ key: message.key, value: message.rawValue, headers }]);
      return undefined;
    }
    return passed.map((p, i) => {
      const result = outcome.results[i];
      return result.ok ? { ...p, out: result.record, error: undefined } : { ...p, error: result.error };
    });
  }

  /** A redriven record: resolved and sent on when it now passes; dead-lettered again (same id) when not. */
  async function transformPatch(pipeline: string, runId: string, chunkSeq: number, recordIndex: number, payload: Buffer | undefined): Promise<void> {
    if (!payload) return;
    await deps.staging.resolveRejection(runId, rejectionId(STAGE, runId, chunkSeq, recordIndex), now());
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
    const { params, requestedAt, source } = await runOf(chunk.runId);
    const extractedSchema = deps.schemas.extracted.get(pipeline.name)!;

    const rejections: Rejection[] = [];
    const deadLetters: DeadLetter[] = [];
    const passed: Passed[] = [];
    async function reject(raw: unknown, recordIndex: number, err: unknown): Promise<void> {
      // only a record that fails validation (or that a service refused) is rejected alone; anything else (a dependency away, reference data missing) is the chunk's problem
      if (classify(err) !== 'dead-letter' || !RECORD_REJECTIONS.has(errorCodeOf(err))) throw err;
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
        headers: [...message.rawHeaders.filter((h) => h.key !== HEADERS.replayOf && h.key !== HEADERS.redriveOf && h.key !== HEADERS.enrichmentRefreshAt), { key: HEADERS.replayOf, value: Buffer.from(recordPatchHeader(recordIndex)) }],
        chunkSeq: chunk.chunkSeq,
        recordIndex,
        record,
      });
    }

    for (const [i, raw] of chunk.records.entries()) {
      const recordIndex = chunk.firstRecordIndex + i;
      try {
        passed.push({ raw, recordIndex, out: await fn(raw, { runId: chunk.runId, params, signal: context.signal, source }) });
      } catch (err) {
        await reject(raw, recordIndex, err);
      }
      if (i % 500 === 499) await context.heartbeat();
    }
    const enriched = await enrich(pipeline, message, passed, requestedAt, context);
    if (!enriched) return;
    const out: unknown[] = [];
    for (const record of enriched) {
      if (record.error) await reject(record.raw, record.recordIndex, record.error);
      else out.push(record.out);
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
        { key: `${chunk.runId}:${chunk.chunkSeq}`, value: payload, headers: chunkHeaders(chunk.runId, pipeline.name, chunk.chunkSeq, STAGE, { ...passThrough(message.headers), ...cleanInput(message.headers, rejections.length) }) },
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

interface Passed {
  raw: unknown;
  recordIndex: number;
  out: unknown;
}

/** A chunk that lost no record here keeps its input key (an enriched pipeline's chunks never carry one): the loader marks it. */
function cleanInput(headers: Record<string, string>, rejected: number): Record<string, string> {
  const key = headers[HEADERS.inputKey];
  return key !== undefined && rejected === 0 ? { [HEADERS.inputKey]: key } : {};
}

/** Lineage headers that follow a chunk downstream. */
export function passThrough(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of [HEADERS.traceId, HEADERS.replayOf, HEADERS.generation]) if (headers[key] !== undefined) out[key] = headers[key];
  return out;
}
