import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startContainers } from './containers';
import { createLocalInfra, localInfraOptionsFromEnv, type Endpoints } from '@brokered-etl/local-infra';

export type EndpointSource = 'environment' | 'testcontainers' | 'local-infra';

export interface ResolvedServices {
  source: EndpointSource;
  endpoints: Endpoints;
  /** Stops what this resolution started (nothing when the services were already there). */
  release(): Promise<void>;
}

export const REPO_ROOT = join(__dirname, '..', '..', '..');

function fromEnvironment(env: NodeJS.ProcessEnv): Endpoints | undefined {
  const { KAFKA_BROKERS, SCHEMA_REGISTRY_URL, MONGO_URL } = env;
  if (KAFKA_BROKERS && SCHEMA_REGISTRY_URL && MONGO_URL) return { kafkaBrokers: KAFKA_BROKERS, schemaRegistryUrl: SCHEMA_REGISTRY_URL, mongoUrl: MONGO_URL };
  return undefined;
}

function dockerAnswers(): boolean {
  const result = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 5000 });
  return result.status === 0 && result.stdout.trim() !== '';
}

/**
 * Where integration tests get Kafka, the registry and MongoDB, in this order:
 * endpoints given in the environment; containers when a Docker engine answers;
 * else the project's local infrastructure (started here if it is not running).
 */
export async function resolveServices(env: NodeJS.ProcessEnv = process.env, report: (line: string) => void = () => undefined): Promise<ResolvedServices> {
  const given = fromEnvironment(env);
  if (given) return { source: 'environment', endpoints: given, release: async () => undefined };

  if (env['ETL_TEST_NO_DOCKER'] !== '1' && dockerAnswers()) {
    return startContainers(report);
  }

  const infra = createLocalInfra(localInfraOptionsFromEnv(REPO_ROOT, env));
  const { endpoints, started } = await infra.up(report);
  return {
    source: 'local-infra',
    endpoints,
    // leave running what someone else started (npm run infra:up, .ci/run)
    release: async () => void (started.length > 0 && (await infra.down(started))),
  };
}
