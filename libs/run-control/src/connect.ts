import { topicNames } from '@brokered-etl/contracts';
import type { BaseWorkerEnv } from '@brokered-etl/config';
import { createAvroRegistry, createKafkaClient, createMessageProducer } from '@brokered-etl/messaging';
import type { Logger } from '@brokered-etl/observability';
import { connectMongo, createMongoStagingStore } from '@brokered-etl/staging';
import { createRunControl, type RunControl } from './run-control';

export interface ConnectedRunControl {
  control: RunControl;
  close(): Promise<void>;
}

/** Connects a RunControl to the configured services (for the CLI, demo and API edges). */
export async function connectRunControl(env: BaseWorkerEnv, logger: Logger, pipelines: string[], options: { producer?: boolean } = {}): Promise<ConnectedRunControl> {
  const kafka = createKafkaClient({ brokers: env.KAFKA_BROKERS, clientId: env.KAFKA_CLIENT_ID ?? 'etl-control', logger });
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
    pipelines,
  });
  return {
    control,
    async close() {
      if (options.producer !== false) await producer.disconnect();
      await mongo.close();
    },
  };
}
