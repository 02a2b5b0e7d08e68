import { randomUUID } from 'node:crypto';
import { DEFAULT_PARTITIONS, HEADERS, RUN_ID_PATTERN, runRequestedSchema, valueSubject, type RunRequested, type TopicNames } from '@brokered-etl/contracts';
import type { KafkaTopicSettings } from '@brokered-etl/config';
import { EtlError } from '@brokered-etl/errors';
import { ensureTopics, type AvroRegistry, type Kafka, type MessageProducer } from '@brokered-etl/messaging';
import { INLINE_RECORDS_PARAM, parseInlineRecords, validateParams, withoutInlineRecords, type AnyPipeline } from '@brokered-etl/pipeline-kit';
import { redriveDeadLetters, rerunFromStaging, replayStage, type OffsetReplayRequest, type RedriveSelection, type ReplayOptions, type RerunFrom } from '@brokered-etl/replay';
import type { PruneOptions, RunRecord, StagingStore } from '@brokered-etl/staging';

export interface RunControlDeps {
  kafka: Kafka;
  registry: AvroRegistry;
  producer: MessageProducer;
  staging: StagingStore;
  topics: TopicNames;
  /** Prefix of topics and groups (ETL_NAMESPACE). */
  namespace: string;
  /** The pipelines that exist: a typo in a name, or a param value its declaration refuses, never becomes a run. */
  pipelines: readonly (Pick<AnyPipeline, 'name' | 'params'> & Partial<Pick<AnyPipeline, 'extractedRecord'>>)[];
  /** Folders a `path` param must name a file inside (ETL_SOURCE_ROOTS), checked before the trigger is produced. */
  sourceRoots: readonly string[];
  /** How the trigger topic is created when no worker made it yet (KAFKA_TOPIC_*); unset: the defaults. */
  topicSettings?: KafkaTopicSettings;
}

export interface TriggerRequest {
  pipeline: string;
  params?: Record<string, string>;
  runId?: string;
  requestedBy: string;
}

export function newRunId(pipeline: string, at = new Date()): string {
  return `${pipeline}-${at.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomUUID().slice(0, 8)}`;
}

/** Starting and following runs: what the CLI, the demo and the API share. */
export function createRunControl(deps: RunControlDeps) {
  let schemaId: number | undefined;
  const names = () => deps.pipelines.map((p) => p.name);

  return {
    /** Produces RunRequested to the trigger topic; the extractor does the rest. */
    async trigger(request: TriggerRequest): Promise<RunRequested> {
      const pipeline = deps.pipelines.find((p) => p.name === request.pipeline);
      if (!pipeline) throw new EtlError('UNKNOWN_PIPELINE', `unknown pipeline "${request.pipeline}"; known: ${names().join(', ')}`);
      // before anything is produced: the CLI, the API and the scheduler all come through here
      validateParams(pipeline.params, withoutInlineRecords(request.params ?? {}), { sourceRoots: deps.sourceRoots, requireFiles: true });
      // inline records (a run for just that input) must fit the pipeline's extracted record before the run exists
      if (pipeline.extractedRecord) parseInlineRecords(pipeline.extractedRecord, request.params ?? {});
      else if (request.params?.[INLINE_RECORDS_PARAM] !== undefined) throw new EtlError('BAD_PARAMS', `pipeline "${pipeline.name}" is not known here with its record shape: it takes no inline records`, { details: { field: INLINE_RECORDS_PARAM } });
      const runId = request.runId ?? newRunId(request.pipeline);
      if (!RUN_ID_PATTERN.test(runId)) throw new EtlError('BAD_PARAMS', `run id "${runId}" must be 1-128 letters, digits, ".", "_", ":" or "-"`);
      if (schemaId === undefined) {
        const settings = deps.topicSettings;
        await ensureTopics(
          deps.kafka,
          [{ topic: deps.topics.trigger, partitions: settings?.partitions.control ?? DEFAULT_PARTITIONS.control, replicationFactor: settings?.replicationFactor, minInsyncReplicas: settings?.minInsyncReplicas }],
          { partitionGrowth: settings?.partitionGrowth },
        );
        schemaId = await deps.registry.ensureSchema(valueSubject(deps.topics.trigger), runRequestedSchema);
      }
      const message: RunRequested = { runId, pipeline: request.pipeline, params: request.params ?? {}, requestedAt: new Date(), requestedBy: request.requestedBy };
      await deps.producer.send(deps.topics.trigger, [{ key: runId, value: await deps.registry.encode(schemaId, message), headers: { [HEADERS.runId]: runId, [HEADERS.traceId]: runId } }]);
      // visible as "requested" at once, so the id handed back (an API's Location) resolves before the extractor
      // picks the trigger up; the extractor's own createRun of the same record is then a no-op (insert-if-absent)
      await deps.staging.createRun({ runId, pipeline: message.pipeline, params: message.params, requestedBy: message.requestedBy, status: 'requested', requestedAt: message.requestedAt });
      return message;
    },

    getRun: (runId: string) => deps.staging.getRun(runId),
    listRuns: (options?: { limit?: number; pipeline?: string }) => deps.staging.listRuns(options),
    listRejections: (runId: string) => deps.staging.listRejections(runId),

    /** Re-emits a run's staged chunks into the stage to rerun (no offsets move); staged enrichment answers are reused unless refreshEnrichment. */
    rerun: (runId: string, from: RerunFrom, onChunk?: (done: number, total: number) => void, options?: ReplayOptions) => rerunFromStaging(deps, runId, from, onChunk, options),

    /** Retention: removes closed runs older than the cutoff and expires payloads earlier (staging only; targets stay). */
    pruneRuns: (options: PruneOptions) => deps.staging.pruneRuns(options),

    listDeadLetters: (filter: { runId?: string; stage?: string; open?: boolean; limit?: number }) => deps.staging.listDeadLetters(filter),
    getDeadLetter: (id: string) => deps.staging.getDeadLetter(id),
    /** Republishes dead letters' original bytes to their original topics. */
    redrive: (selection: RedriveSelection, options?: ReplayOptions) => redriveDeadLetters(deps, selection, options),

    /** Moves a stage's group offsets (refused while the stage's workers run, unless dry run). */
    replay: (request: OffsetReplayRequest) => replayStage({ kafka: deps.kafka, topics: deps.topics, namespace: deps.namespace, pipelines: names() }, request),

    /** A run with live counts (the run document stores counts only when they change status). */
    async describeRun(runId: string): Promise<RunRecord | undefined> {
      const run = await deps.staging.getRun(runId);
      if (!run) return undefined;
      // countRuns takes the generation from the run in hand; countRun would read the run a second time to learn it
      return { ...run, counts: (await deps.staging.countRuns([run])).get(runId) };
    },

    /** Recent runs, newest first; those still going with live counts, read for all of them at once. */
    async describeRuns(options?: { limit?: number; pipeline?: string }): Promise<RunRecord[]> {
      const runs = await deps.staging.listRuns(options);
      const going = runs.filter((run) => run.status !== 'completed' && run.status !== 'failed');
      const counts = await deps.staging.countRuns(going);
      return runs.map((run) => (counts.has(run.runId) ? { ...run, counts: counts.get(run.runId) } : run));
    },

    /** Polls until the run completes or fails; onProgress sees each poll. Throws DEPENDENCY_TIMEOUT when it does not in time. */
    async waitForRun(runId: string, options: Omit<RunPollOptions, 'signal'> = {}): Promise<RunRecord> {
      const { run, finished } = await pollUntilRunEnds((id) => this.describeRun(id), runId, options);
      if (!finished) throw new EtlError('DEPENDENCY_TIMEOUT', `run ${runId} did not finish within ${options.timeoutMs} ms (status: ${run?.status ?? 'not seen yet'})`);
      return run!;
    },
  };
}

export type RunControl = ReturnType<typeof createRunControl>;

export interface RunPollOptions {
  /** Default 30 minutes. */
  timeoutMs?: number;
  /** Default 500 ms. */
  everyMs?: number;
  /** Stops polling (e.g. the client that waits has gone). */
  signal?: AbortSignal;
  onProgress?: (run: RunRecord | undefined) => void;
}

/**
 * Polls a run until it completes or fails, the time is up or the signal aborts:
 * the last run seen, and whether it finished. Never throws for the time: the
 * CLI's wait makes that an error, an HTTP wait answers with how far it got.
 */
export async function pollUntilRunEnds(describe: (runId: string) => Promise<RunRecord | undefined>, runId: string, options: RunPollOptions = {}): Promise<{ run: RunRecord | undefined; finished: boolean }> {
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  const every = options.everyMs ?? 500;
  for (;;) {
    const run = await describe(runId);
    options.onProgress?.(run);
    const finished = run?.status === 'completed' || run?.status === 'failed';
    if (finished || Date.now() + every > deadline || options.signal?.aborted) return { run, finished };
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}
