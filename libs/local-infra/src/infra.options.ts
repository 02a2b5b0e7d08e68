import { homedir } from 'node:os';
import { join } from 'node:path';

/** Versions we provision; the same ones docker/compose.yml pins. */
export const VERSIONS = {
  kafka: '3.9.2',
  apicurio: '3.3.3',
  ferretdb: '1.24.2',
} as const;

export interface LocalInfraOptions {
  /** Repository root: holds tools/infra (pom, Go main) and the git-ignored .infra/ folder. */
  rootDir: string;
  /** Where downloads and builds are cached between clones (not the data). */
  cacheDir: string;
  /** Where each service keeps its data, logs and pid file. */
  stateDir: string;
  ports: {
    kafka: number;
    kafkaController: number;
    registry: number;
    registryManagement: number;
    mongo: number;
  };
  /** Java for Kafka (17+). */
  javaForKafka: string;
  /** Java for Apicurio Registry 3.3, whose classes need 21+; found automatically when unset. */
  javaForRegistry?: string;
  /** FerretDB backend: measured in docs/adr/0002 (SQLite chosen). */
  ferretdbHandler: 'sqlite' | 'postgresql';
  ferretdbPostgresUrl?: string;
  /** Seconds to wait for a service to answer after start. */
  startTimeoutSec: number;
  /** Kafka nodes: 1 (default) the single broker; more, a local KRaft cluster on ports +2 per node (services/kafka-cluster.ts). */
  kafkaBrokers?: number;
}

type Env = Record<string, string | undefined>;

function port(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${name} must be a TCP port (1-65535), got "${raw}"`);
  }
  return value;
}

/** Builds options from the environment; the one place local-infra reads it (called by the CLI edge). */
export function localInfraOptionsFromEnv(rootDir: string, env: Env): LocalInfraOptions {
  const cacheHome = env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  const handler = env['ETL_FERRETDB_HANDLER'] ?? 'sqlite';
  if (handler !== 'sqlite' && handler !== 'postgresql') {
    throw new Error(`ETL_FERRETDB_HANDLER must be "sqlite" or "postgresql", got "${handler}"`);
  }
  return {
    rootDir,
    cacheDir: env['ETL_INFRA_CACHE'] || join(cacheHome, 'brokered-etl'),
    stateDir: env['ETL_INFRA_DIR'] || join(rootDir, '.infra'),
    ports: {
      kafka: port(env, 'ETL_KAFKA_PORT', 9092),
      kafkaController: port(env, 'ETL_KAFKA_CONTROLLER_PORT', 9093),
      registry: port(env, 'ETL_REGISTRY_PORT', 8081),
      registryManagement: port(env, 'ETL_REGISTRY_MANAGEMENT_PORT', 8091),
      mongo: port(env, 'ETL_MONGO_PORT', 27017),
    },
    javaForKafka: env['ETL_KAFKA_JAVA'] || (env['JAVA_HOME'] ? join(env['JAVA_HOME'], 'bin', 'java') : 'java'),
    javaForRegistry: env['ETL_REGISTRY_JAVA'] || undefined,
    ferretdbHandler: handler,
    ferretdbPostgresUrl: env['ETL_FERRETDB_POSTGRESQL_URL'] || undefined,
    startTimeoutSec: Number(env['ETL_INFRA_START_TIMEOUT'] || 120),
  };
}

export interface Endpoints {
  kafkaBrokers: string;
  schemaRegistryUrl: string;
  mongoUrl: string;
}

export function endpointsOf(options: LocalInfraOptions): Endpoints {
  return {
    kafkaBrokers: Array.from({ length: options.kafkaBrokers ?? 1 }, (_, i) => `127.0.0.1:${options.ports.kafka + 2 * i}`).join(','),
    schemaRegistryUrl: `http://127.0.0.1:${options.ports.registry}/apis/ccompat/v7`,
    mongoUrl: `mongodb://127.0.0.1:${options.ports.mongo}/`,
  };
}
