import { HEADERS, type TopicNames } from '@brokered-etl/contracts';
import { EtlError } from '@brokered-etl/errors';
import type { MessageProducer } from '@brokered-etl/messaging';
import type { ChunkStage, StagingStore } from '@brokered-etl/staging';

export type RerunFrom = 'transform' | 'load';

export interface ReplayOptions {
  /** Staged enrichment answers fetched before now are asked again (`--refresh-enrichment`); by default a rerun calls no service. */
  refreshEnrichment?: boolean;
}

/** The header that tells the transformer to ask enrichment services again for answers older than now. */
export function refreshHeaders(options: ReplayOptions, at: Date): Record<string, string> {
  return options.refreshEnrichment ? { [HEADERS.enrichmentRefreshAt]: at.toISOString() } : {};
}

/** Rerunning stage N reads the staged output of stage N-1. */
const INPUT_OF: Record<RerunFrom, ChunkStage> = { transform: 'extracted', load: 'transformed' };

export interface RerunResult {
  runId: string;
  from: RerunFrom;
  generation: number;
  chunks: number;
  records: number;
}

/**
 * Re-emits one run's staged chunks into the topic of the stage to rerun,
 * byte for byte, marked as a replay. No consumer offsets move and no other
 * run is touched; the run reopens under a new generation and completes again
 * when every chunk is loaded again.
 */
export async function rerunFromStaging(
  deps: { staging: StagingStore; producer: MessageProducer; topics: TopicNames; now?: () => Date },
  runId: string,
  from: RerunFrom,
  onChunk?: (done: number, total: number) => void,
  options: ReplayOptions = {},
): Promise<RerunResult> {
  const run = await deps.staging.getRun(runId);
  if (!run) throw new EtlError('NOT_FOUND', `no run "${runId}" in staging: it never existed or retention pruned it (etl runs prune); trigger a new run of its pipeline`);
  if (run.payloadsExpiredAt) {
    throw new EtlError('NOT_FOUND', `run "${runId}" cannot be rerun from staging: retention dropped its staged chunks on ${run.payloadsExpiredAt.toISOString()} (its summary is kept); trigger a new run of its pipeline`);
  }
  if (run.totalChunks === undefined) {
    throw new EtlError('BAD_PARAMS', `run "${runId}" has not finished extracting (status ${run.status}); rerun it once its source has ended`);
  }
  // asked before the run reopens: a refused rerun leaves the run as it was
  const { chunksSkipped, skippedFrom = [] } = await deps.staging.countRun(runId);
  if (chunksSkipped) {
    throw new EtlError(
      'BAD_PARAMS',
      `run "${runId}" skipped ${chunksSkipped} chunk(s) as unchanged input (run ${skippedFrom.map((id) => `"${id}"`).join(', ')} had loaded the same records, so nothing of them is staged in this run): ` +
        `the ${from} stage cannot be rerun from its staging; rerun that run instead, or trigger a new run with the extractors' SKIP_UNCHANGED_INPUT=false`,
    );
  }
  const input = INPUT_OF[from];
  const topic = deps.topics.data(run.pipeline, input);
  const reopenedAt = (deps.now ?? (() => new Date()))();
  const generation = await deps.staging.reopenRun(runId, reopenedAt);
  let chunks = 0;
  let records = 0;
  for await (const chunk of deps.staging.readChunks(runId, input)) {
    await deps.producer.send(topic, [
      {
        key: `${runId}:${chunk.chunkSeq}`,
        value: chunk.payload,
        headers: {
          [HEADERS.runId]: runId,
          [HEADERS.pipeline]: run.pipeline,
          [HEADERS.chunkSeq]: String(chunk.chunkSeq),
          [HEADERS.replayOf]: `rerun:${from}:${generation}`,
          [HEADERS.generation]: String(generation),
          [HEADERS.producedBy]: 'rerun',
          ...refreshHeaders(options, reopenedAt),
        },
      },
    ]);
    chunks++;
    records += chunk.recordCount;
    onChunk?.(chunks, run.totalChunks);
  }
  if (chunks < run.totalChunks) {
    throw new EtlError('NOT_FOUND', `run "${runId}" has ${chunks} staged ${input} chunks of ${run.totalChunks}: the ${from} stage cannot be rerun from staging (rerun an earlier stage)`);
  }
  return { runId, from, generation, chunks, records };
}
