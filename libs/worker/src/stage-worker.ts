import { DEFAULT_PARTITIONS, groupId as groupIdOf, STAGE_INPUT, topicNames, type StageName } from '@brokered-etl/contracts';
import type { BaseWorkerEnv } from '@brokered-etl/config';
import {
  createAvroRegistry,
  createDeadLetterSink,
  createKafkaClient,
  createMessageProducer,
  createStageConsumer,
  ensureTopics,
  type HandlerContext,
  type InboundMessage,
  type StageConsumer,
} from '@brokered-etl/messaging';
import type { Logger } from '@brokered-etl/observability';
import type { AnyPipeline } from '@brokered-etl/pipeline-kit';
import { connectMongo, createMongoStagingStore, createMongoTargetWriter } from '@brokered-etl/staging';
import { createRunEventPublisher, recordingDeadLetters, registerSchemas, type LoaderDeps, type SchemaIds } from '@brokered-etl/stages';

export interface StageWorkerOptions {
  stage: StageName;
  env: BaseWorkerEnv & { PARTITIONS_CONCURRENTLY?: number; SESSION_TIMEOUT_MS?: number };
  logger: Logger;
  pipelines: readonly AnyPipeline[];
  /** Builds the stage's handler from the connected dependencies. */
  handlerFor(deps: LoaderDeps): (message: InboundMessage<never>, context: HandlerContext) => Promise<void>;
}

export interface RunningWorker {
  consumer: StageConsumer;
  schemas: SchemaIds;
  stop(): Promise<void>;
  /** Resolves when the worker hits an error it cannot continue from. */
  fatal: Promise<unknown>;
}

/**
 * Connects everything a stage needs, in an order that fails fast and clearly:
 * Kafka (topics), registry (schemas, compatibility), MongoDB (indexes), then
 * joins the stage's consumer group.
 */
export async function startStageWorker(options: StageWorkerOptions): Promise<RunningWorker> {
  const { env, stage, logger } = options;
  const namespace = env.ETL_NAMESPACE;
  const topics = topicNames(namespace);
  const kafka = createKafkaClient({ brokers: env.KAFKA_BROKERS, clientId: env.KAFKA_CLIENT_ID ?? `etl-${stage}`, logger });

  const dataTopics = options.pipelines.flatMap((p) => [topics.data(p.name, 'extracted'), topics.data(p.name, 'transformed')]);
  const created = await ensureTopics(kafka, [
    ...[topics.trigger, topics.events, topics.dlq].map((topic) => ({ topic, partitions: DEFAULT_PARTITIONS.control })),
    ...dataTopics.map((topic) => ({ topic, partitions: DEFAULT_PARTITIONS.data })),
  ]);
  if (created.length) logger.info('created topics', { topics: created });

  const registry = createAvroRegistry({ url: env.SCHEMA_REGISTRY_URL });
  const schemas = await registerSchemas(registry, topics, options.pipelines);
  logger.info('schemas registered', { registry: env.SCHEMA_REGISTRY_URL });

  const mongo = await connectMongo({ url: env.MONGO_URL, database: env.MONGO_DB, appName: `etl-${stage}` });
  const staging = createMongoStagingStore(mongo.db);
  await staging.ensureIndexes();

  const producer = createMessageProducer(kafka);
  await producer.connect();
  const deadLetters = recordingDeadLetters(await createDeadLetterSink({ registry, producer, topic: topics.dlq }), staging);
  const events = createRunEventPublisher({ registry, producer, topics, schemaId: schemas.events });
  const byName = new Map(options.pipelines.map((p) => [p.name, p]));
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
    target: createMongoTargetWriter(mongo.db),
  };

  const input = STAGE_INPUT[stage];
  const inputTopics = input === 'trigger' ? [topics.trigger] : options.pipelines.map((p) => topics.data(p.name, input));
  let reportFatal: (err: unknown) => void = () => undefined;
  const fatal = new Promise<unknown>((resolve) => (reportFatal = resolve));
  const consumer = createStageConsumer({
    kafka,
    stage,
    groupId: groupIdOf(stage, namespace),
    topics: inputTopics,
    decode: (value) => registry.decode(value),
    handle: options.handlerFor(deps),
    deadLetters,
    logger,
    partitionsConsumedConcurrently: env.PARTITIONS_CONCURRENTLY,
    sessionTimeoutMs: env.SESSION_TIMEOUT_MS,
    onFatal: reportFatal,
  });
  await consumer.start();

  return {
    consumer,
    schemas,
    fatal,
    async stop() {
      await consumer.stop();
      await producer.disconnect();
      await mongo.close();
    },
  };
}
