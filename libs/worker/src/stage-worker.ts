import { groupId as groupIdOf, stageInputTopics, topicNames, workerTopics, type StageName } from '@brokered-etl/contracts';
import {
  createAvroRegistry,
  createDeadLetterSink,
  createKafkaClient,
  createLagReader,
  createMessageProducer,
  createStageConsumer,
  ensureTopics,
  type HandlerContext,
  type InboundMessage,
  type StageConsumer,
} from '@brokered-etl/messaging';
import { kafkaSecurityOf, kafkaTopicSettingsOf } from '@brokered-etl/config';
import { errorCodeOf, errorMessageOf } from '@brokered-etl/errors';
import { createEnrichmentRuntime, createMongoResponseStore, createPromEnrichmentMetrics, type EnrichmentRuntime } from '@brokered-etl/enrichment';
import { createMetricsRegistry, createStageMetrics, redactSecrets, startOpsServer, type Logger, type OpsServer, type ProbeResult, type Registry } from '@brokered-etl/observability';
import { defaultSourceRoots, type AnyPipeline } from '@brokered-etl/pipeline-kit';
import { connectMongo, createMongoStagingStore, createMongoTargetWriter } from '@brokered-etl/staging';
import { codeVersionOf } from './code-version';
import { createProgressMarker, createRunEventPublisher, recordingDeadLetters, registerSchemas, startStallWatchdog, type LoaderDeps, type SchemaIds } from '@brokered-etl/stages';
import { untilAvailable } from './dependency-wait';
import { OPS_PORTS, type StageWorkerEnv } from './worker.config';

export interface StageWorkerOptions {
  stage: StageName;
  env: StageWorkerEnv;
  logger: Logger;
  pipelines: readonly AnyPipeline[];
  /** Builds the stage's handler from the connected dependencies. */
  handlerFor(deps: LoaderDeps): (message: InboundMessage<never>, context: HandlerContext) => Promise<void>;
}

export interface RunningWorker {
  consumer: StageConsumer;
  schemas: SchemaIds;
  /** Where /healthz, /readyz and /metrics answer. */
  ops: { port: number; url: string };
  stop(): Promise<void>;
  /** Resolves when the worker hits an error it cannot continue from. */
  fatal: Promise<unknown>;
}

/**
 * Opens the ops endpoints first (alive, not ready, while starting), then
 * connects everything a stage needs in an order that fails fast and clearly:
 * Kafka (topics), registry (schemas, compatibility), MongoDB (indexes), then
 * joins the stage's consumer group.
 */
export async function startStageWorker(options: StageWorkerOptions): Promise<RunningWorker> {
  const { env, stage, logger } = options;
  const metricsRegistry = createMetricsRegistry();
  let consumer: StageConsumer | undefined;
  let fatalError: unknown;
  let startingReason = 'starting: connecting to Kafka, the registry and MongoDB';
  const ops = await startOpsServer({
    host: env.OPS_HOST ?? '127.0.0.1',
    port: env.OPS_PORT,
    defaultPort: OPS_PORTS[stage],
    logger: logger.child({ stage }),
    registry: metricsRegistry,
    readiness: (): ProbeResult => (consumer ? { ...consumer.readiness() } : { ok: false, reason: startingReason }),
    liveness: (): ProbeResult => {
      if (fatalError !== undefined) return { ok: false, reason: `fatal error: ${errorCodeOf(fatalError)}: ${errorMessageOf(fatalError)}` };
      // a handler that outlived its retry budget is hung (no deadline can end it): restart the process
      const stuck = consumer?.stuck();
      if (stuck) return { ok: false, reason: `message ${stuck.topic}[${stuck.partition}]@${stuck.offset} in progress for ${Math.round(stuck.sinceMs / 1000)} s` };
      return { ok: true };
    },
  });
  try {
    return await connectStageWorker(options, metricsRegistry, ops, {
      created: (c) => (consumer = c),
      fatal: (err) => (fatalError = err),
      waiting: (reason) => (startingReason = reason),
    });
  } catch (err) {
    await ops.close();
    throw err;
  }
}

async function connectStageWorker(
  options: StageWorkerOptions,
  metricsRegistry: Registry,
  ops: OpsServer,
  report: { created(consumer: StageConsumer): void; fatal(err: unknown): void; waiting(reason: string): void },
): Promise<RunningWorker> {
  const { env, stage, logger } = options;
  const namespace = env.ETL_NAMESPACE;
  const topics = topicNames(namespace);
  const kafka = createKafkaClient({ brokers: env.KAFKA_BROKERS, clientId: env.KAFKA_CLIENT_ID ?? `etl-${stage}`, logger, security: kafkaSecurityOf(env) });

  const settings = kafkaTopicSettingsOf(env);
  const specs = workerTopics(topics, options.pipelines.map((p) => p.name)).map(({ topic, kind }) => ({
    topic,
    partitions: settings.partitions[kind],
    replicationFactor: settings.replicationFactor,
    minInsyncReplicas: settings.minInsyncReplicas,
  }));
  const wait = { logger, budgetMs: env.RETRY_BUDGET_MS, onWaiting: report.waiting };
  const ensured = await untilAvailable('Kafka', () => ensureTopics(kafka, specs, { partitionGrowth: settings.partitionGrowth, logger }), wait);
  if (ensured.created.length) logger.info('created topics', { topics: ensured.created, replicationFactor: settings.replicationFactor ?? 'broker default', minInsyncReplicas: settings.minInsyncReplicas ?? 'broker default' });

  const registry = createAvroRegistry({ url: env.SCHEMA_REGISTRY_URL });
  const schemas = await untilAvailable('the schema registry', () => registerSchemas(registry, topics, options.pipelines), wait);
  logger.info('schemas registered', { registry: redactSecrets(env.SCHEMA_REGISTRY_URL) });

  const mongo = await untilAvailable('MongoDB', () => connectMongo({ url: env.MONGO_URL, database: env.MONGO_DB, appName: `etl-${stage}` }), wait);
  const staging = createMongoStagingStore(mongo.db);
  await untilAvailable('MongoDB', () => staging.ensureIndexes(), wait);

  const producer = createMessageProducer(kafka, { logger });
  await producer.connect();
  const inputTopics = stageInputTopics(stage, topics, options.pipelines.map((p) => p.name));
  const groupId = groupIdOf(stage, namespace);
  const lag = createLagReader(kafka, { groupId, topics: inputTopics, timeoutMs: 2000 });
  const metrics = createStageMetrics({ registry: metricsRegistry, stage, readLag: () => lag.read() });
  const events = createRunEventPublisher({ registry, producer, topics, schemaId: schemas.events });
  const deadLetters = recordingDeadLetters(createDeadLetterSink({ registry, producer, topic: topics.dlq, schemaId: schemas.dlq }), staging, metrics, events);
  const byName = new Map(options.pipelines.map((p) => [p.name, p]));
  const enrichment = stage === 'transformer' ? enrichmentRuntimeOf(options.pipelines, env, mongo.db, metricsRegistry, logger) : undefined;
  const deps: LoaderDeps = {
    pipelines: { find: (name) => byName.get(name), names: () => [...byName.keys()] },
    staging,
    producer,
    registry,
    topics,
    schemas,
    events,
    deadLetters,
    logger,
    metrics,
    target: createMongoTargetWriter(mongo.db, { writePath: env.TARGET_WRITE_PATH, writeConcern: { w: env.TARGET_WRITE_CONCERN, wtimeoutMS: env.TARGET_WRITE_TIMEOUT_MS } }),
    progress: createProgressMarker(staging),
    extraction: { splitRecords: env.EXTRACT_SPLIT_RECORDS, splitWindow: env.EXTRACT_SPLIT_WINDOW },
    sourceRoots: env.ETL_SOURCE_ROOTS ?? defaultSourceRoots(),
    enrichment,
    enrichmentBudgetMs: env.MAX_BATCH_MS,
    // only the extractor decides a skip; it keys on its own code (its bundle holds every pipeline's transform)
    codeVersion: stage === 'extractor' && env.SKIP_UNCHANGED_INPUT ? codeVersionOf(env.ETL_CODE_VERSION) : undefined,
  };
  logger.info('sources confined to', { sourceRoots: deps.sourceRoots });
  const watchdog = startStallWatchdog({ staging, events, logger, stage, stallAfterMs: env.RUN_STALL_AFTER_MS, intervalMs: env.STALL_CHECK_MS });

  let reportFatal: (err: unknown) => void = () => undefined;
  const fatal = new Promise<unknown>((resolve) => (reportFatal = resolve));
  const consumer = createStageConsumer({
    kafka,
    stage,
    groupId,
    topics: inputTopics,
    decode: (value) => registry.decode(value),
    handle: options.handlerFor(deps),
    deadLetters,
    logger,
    partitionsConsumedConcurrently: env.PARTITIONS_CONCURRENTLY,
    sessionTimeoutMs: env.SESSION_TIMEOUT_MS,
    readinessStaleMs: env.READINESS_STALE_MS,
    retry: { budgetMs: env.RETRY_BUDGET_MS, maxAttempts: env.RETRY_MAX_ATTEMPTS },
    maxBatchMs: env.MAX_BATCH_MS,
    onFatal: (err) => {
      report.fatal(err);
      reportFatal(err);
    },
    onMessageHandled: (e) => metrics.messageHandled(e.topic, e.outcome, e.durationMs / 1000),
  });
  report.created(consumer);
  await consumer.start();

  return {
    consumer,
    schemas,
    fatal,
    ops: { port: ops.port, url: ops.url },
    async stop() {
      watchdog.stop();
      await consumer.stop();
      await enrichment?.stop();
      await producer.disconnect();
      await mongo.close();
      await lag.close();
      await ops.close();
    },
  };
}

/** The transformer's enrichment: a limiter per pipeline, answers staged beside staging's collections, etl_enrichment_* metrics. */
function enrichmentRuntimeOf(pipelines: readonly AnyPipeline[], env: StageWorkerEnv, db: Parameters<typeof createMongoResponseStore>[0], registry: Registry, logger: Logger): EnrichmentRuntime {
  const runtime = createEnrichmentRuntime({ services: env.ENRICHMENT_SERVICES ?? {}, store: createMongoResponseStore(db), metrics: createPromEnrichmentMetrics(registry) });
  const steps = pipelines.flatMap((p) => (p.enrichment ? [p.enrichment] : []));
  const missing = runtime.unconfigured(steps);
  // not fatal: the other pipelines work; a chunk of one that calls a missing service is dead-lettered with this reason
  if (missing.length) logger.warn('enrichment services without a base URL (set ENRICHMENT_SERVICES)', { services: missing });
  return runtime;
}
