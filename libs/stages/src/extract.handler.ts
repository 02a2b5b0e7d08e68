import { HEADERS, type Chunk, type RunRequested } from '@brokered-etl/contracts';
import { errorCodeOf, errorMessageOf, isEtlError } from '@brokered-etl/errors';
import type { HandlerContext, InboundMessage } from '@brokered-etl/messaging';
import { chunkRecords, DEFAULT_CHUNK_LIMITS } from '@brokered-etl/pipeline-kit';
import { chunkHeaders, requirePipeline } from './pipeline-lookup';
import type { StageDeps } from './stage.deps';

const STAGE = 'extractor';

/**
 * RunRequested → the source streamed into bounded chunks; each chunk staged
 * (deterministic id), produced to <pipeline>.extracted and counted. A
 * redelivered trigger re-extracts the same chunks (same ids, same counts),
 * unless the run's source already ended, which makes it a no-op.
 */
export function createExtractHandler(deps: StageDeps) {
  const now = deps.now ?? (() => new Date());
  return async function extract(message: InboundMessage<RunRequested>, context: HandlerContext): Promise<void> {
    const log = context.logger.child({ module: 'extract' });
    const request = message.value;
    const { runId } = request;
    await deps.staging.createRun({ runId, pipeline: request.pipeline, params: request.params, requestedBy: request.requestedBy, status: 'requested', requestedAt: request.requestedAt });
    let run = await deps.staging.getRun(runId);
    if (run?.status === 'failed' && message.headers[HEADERS.redriveOf]) {
      // a redriven trigger of a failed run (its cause fixed): try the run again
      await deps.staging.reopenRun(runId, now());
      run = await deps.staging.getRun(runId);
    }
    if (run?.sourceEndedAt || run?.status === 'failed') {
      log.info('run already extracted, ignoring repeated trigger', { runId, status: run.status });
      return;
    }

    try {
      const pipeline = requirePipeline(deps, request.pipeline);
      await deps.staging.markRunStarted(runId, now());
      await deps.events.emit({ runId, pipeline: pipeline.name, stage: STAGE, type: 'run.started' });
      const limits = { ...DEFAULT_CHUNK_LIMITS, ...pipeline.chunkLimits };
      const schemaId = deps.schemas.extracted.get(pipeline.name)!;
      const topic = deps.topics.data(pipeline.name, 'extracted');
      let totalChunks = 0;
      let totalRecords = 0;

      for await (const piece of chunkRecords(pipeline.openSource(request.params), limits)) {
        if (context.signal.aborted) throw new Error('extraction abandoned: worker is shutting down');
        const chunk: Chunk<unknown> = { runId, pipeline: pipeline.name, chunkSeq: piece.chunkSeq, firstRecordIndex: piece.firstRecordIndex, records: piece.records };
        const payload = await deps.registry.encode(schemaId, chunk);
        // staged before produced: whatever reaches Kafka can be rerun from staging, byte for byte
        await deps.staging.stageChunk({ runId, pipeline: pipeline.name, stage: 'extracted', chunkSeq: piece.chunkSeq, firstRecordIndex: piece.firstRecordIndex, recordCount: piece.records.length, payload, stagedAt: now() });
        await deps.producer.send(topic, [
          {
            key: `${runId}:${piece.chunkSeq}`,
            value: payload,
            headers: chunkHeaders(runId, pipeline.name, piece.chunkSeq, STAGE, { [HEADERS.traceId]: message.headers[HEADERS.traceId] ?? runId, [HEADERS.generation]: String(run?.generation ?? 0) }),
          },
        ]);
        await deps.staging.markChunk(runId, piece.chunkSeq, { extracted: { records: piece.records.length, at: now() } });
        totalChunks++;
        totalRecords += piece.records.length;
        // read from the source and passed on as one chunk: counted together, once produced
        deps.metrics.recordsIn(pipeline.name, piece.records.length);
        deps.metrics.recordsOut(pipeline.name, piece.records.length);
        await context.heartbeat();
      }

      await deps.staging.markSourceEnded(runId, { totalChunks, totalRecords }, now());
      await deps.events.emit({ runId, pipeline: pipeline.name, stage: STAGE, type: 'source.ended', records: totalRecords, message: `${totalChunks} chunks` });
      log.info('source ended', { runId, pipeline: pipeline.name, totalChunks, totalRecords });
      // an empty source completes here: no loader will ever see a chunk of it
      const completed = await deps.staging.completeRunIfDone(runId, now());
      if (completed) await deps.events.emit({ runId, pipeline: pipeline.name, stage: STAGE, type: 'run.completed' });
    } catch (err) {
      // a bad request fails its run with the reason, then goes to the DLQ (runtime); transient errors are retried
      if (isEtlError(err) && !err.retriable) {
        await deps.staging.failRun(runId, { code: errorCodeOf(err), message: errorMessageOf(err) }, now());
        await deps.events.emit({ runId, pipeline: request.pipeline, stage: STAGE, type: 'run.failed', message: errorMessageOf(err) });
        log.warn('run failed', { runId, code: err.code, error: err.message });
      }
      throw err;
    }
  };
}

export type ExtractHandler = ReturnType<typeof createExtractHandler>;
