import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { baseWorkerEnvSchema, type BaseWorkerEnv } from '@brokered-etl/config';
import { defaultSourceRoots } from '@brokered-etl/pipeline-kit';

export interface IntegrationEnv {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  mongoUrl: string;
}

/** Endpoints set by the global setup; a clear error when a test runs outside it. */
export function integrationEnv(): IntegrationEnv {
  const { KAFKA_BROKERS, SCHEMA_REGISTRY_URL, MONGO_URL } = process.env;
  if (!KAFKA_BROKERS || !SCHEMA_REGISTRY_URL || !MONGO_URL) {
    throw new Error('integration services are not set: run integration tests with `npm run test:int` (jest -c jest.int.config.ts)');
  }
  return { kafkaBrokers: KAFKA_BROKERS.split(','), schemaRegistryUrl: SCHEMA_REGISTRY_URL, mongoUrl: MONGO_URL };
}

/** A name no other test (or earlier run) uses: topics, groups, databases, namespaces. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
}

/** Polls until check returns a truthy value; fails with what it was waiting for. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
}

/** MongoDB database names take no dots or dashes, which namespaces have. */
export function databaseFor(namespace: string): string {
  return namespace.replace(/[.-]/g, '_');
}

/**
 * Source roots of apps under test: the default ones plus the OS temp folder,
 * where specs write their fixture files (mkdtemp). /etc and the rest stay outside.
 */
export function testSourceRoots(): string[] {
  return [...defaultSourceRoots(), tmpdir()];
}

/** The variables an app reads to reach these services under one namespace and database: for apps a test spawns. */
export function appEnvFor(env: IntegrationEnv, namespace: string, database = databaseFor(namespace)): Record<string, string> {
  return {
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: env.schemaRegistryUrl,
    MONGO_URL: env.mongoUrl,
    MONGO_DB: database,
    ETL_NAMESPACE: namespace,
    ETL_SOURCE_ROOTS: testSourceRoots().join(','),
  };
}

/** The same, parsed as an app parses it: for what a test or bench connects in-process (run control, workers). */
export function workerEnvFor(env: IntegrationEnv, namespace: string, database = databaseFor(namespace)): BaseWorkerEnv {
  return baseWorkerEnvSchema.parse({ ...appEnvFor(env, namespace, database), LOG_LEVEL: 'warn' });
}
