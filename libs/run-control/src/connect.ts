import { topicNames } from '@brokered-etl/contracts';
import { kafkaSecurityOf, kafkaTopicSettingsOf, type BaseWorkerEnv } from '@brokered-etl/config';
import { createAvroRegistry, createKafkaClient, createMessageProducer } from '@brokered-etl/messaging';
import type { Logger } from '@brokered-etl/observability';
import { defaultSourceRoots, type AnyPipeline } from '@brokered-etl/pipeline-kit';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { connectMongo, createMongoStagingStore } from '@brokered-etl/staging';
import { createRunControl, type RunControl } from './run-control';

export interface ConnectedRunControl {
  control: RunControl;
  close(): Promise<void>;
}

/**
 * Connects a RunControl to the configured services (for the CLI, demo and API edges).
 * `pipelines`: their definitions, or names of the catalog's (whose declared params are then checked the same way).
 * Source roots: ETL_SOURCE_ROOTS as the edge parsed it, else the default roots.
 */
export async function connectRunControl(
  env: BaseWorkerEnv,
  logger: Logger,
  pipelines: readonly AnyPipeline[] | readonly string[],
  options: { producer?: boolean } = {},
): Promise<ConnectedRunControl> {
  const kafka = createKafkaClient({ brokers: env.KAFKA_BROKERS, clientId: env.KAFKA_CLIENT_ID ?? 'etl-control', logger, security: kafkaSecurityOf(env) });
  const producer = createMessageProducer(kafka);
  const mongo = await connectMongo({ url: env.MONGO_URL, database: env.MONGO_DB, appName: 'etl-control' });
  if (options.producer !== false) await producer.connect();
  const control = createRunControl({
    kafka,
    registry: createAvroRegistry({ url: env.SCHEMA_REGISTRY_URL }),
    producer,
    staging: createMongoStagingStore(mongo.db),
    topics: topicNames(env.ETL_NAMESPACE),
    namespace: env.ETL_NAMESPACE,
    pipelines: pipelines.map((p) => (typeof p === 'string' ? (PIPELINES.find((known) => known.name === p) ?? { name: p, params: {} }) : p)),
    sourceRoots: env.ETL_SOURCE_ROOTS ?? defaultSourceRoots(),
    topicSettings: kafkaTopicSettingsOf(env),
  });
  return {
    control,
    async close() {
      if (options.producer !== false) await producer.disconnect();
      await mongo.close();
    },
  };
}
