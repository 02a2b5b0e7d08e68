import { baseWorkerEnvSchema } from '@brokered-etl/config';

/** The CLI reads the same endpoints as the workers (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, MONGO_URL, MONGO_DB, ETL_NAMESPACE). */
export const cliEnvSchema = baseWorkerEnvSchema.extend({});
