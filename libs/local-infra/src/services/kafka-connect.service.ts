import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfraError } from '../infra.errors';
import { VERSIONS, type LocalInfraOptions } from '../infra.options';
import { requireJava, requireTool } from '../prerequisites';
import { assertPortsFree, readPid, readRecordedEndpoint, run, startDetached, stopProcess, waitUntil } from '../process-control';
import { quietLog4j } from './kafka.service';
import type { LocalService } from './service';

/** MongoDB's sink connector: the newest `all` jar Maven Central serves that runs on Connect 3.9 (Java 8 classes, driver 4.7). */
export const MONGO_SINK_CONNECTOR_VERSION = '2.0.1';

export interface KafkaConnectExtras {
  /** The broker(s) the worker consumes from, `host:port,…`. */
  brokers: string;
  /** REST listener on 127.0.0.1: connectors are created and deleted through it. */
  restPort: number;
  /**
   * How often sink tasks commit their consumers' offsets (Connect's default: 60 s). A sink
   * commits only what its put() has written, so a short interval lets a benchmark read
   * progress from the group's offsets instead of counting documents in the database.
   */
  offsetFlushIntervalMs?: number;
}

export interface ConnectorState {
  connector: string;
  tasks: string[];
}

export interface KafkaConnectService extends LocalService {
  /** Creates a connector (standalone mode keeps it in memory only); resolves once every task runs. */
  createConnector(name: string, config: Record<string, string>, timeoutMs?: number): Promise<void>;
  deleteConnector(name: string): Promise<void>;
  connectorState(name: string): Promise<ConnectorState | undefined>;
}

/**
 * The runtime, its JSON converter and the reload4j binding Kafka's own scripts
 * use: written into the cache, resolved with `mvn dependency:copy-dependencies`.
 */
function runtimePom(): string {
  const dependency = (group: string, artifact: string, version: string) =>
    `    <dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${version}</version></dependency>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<project xmlns="http://maven.apache.org/POM/4.0.0">',
    '  <modelVersion>4.0.0</modelVersion>',
    '  <groupId>brokered-etl.infra</groupId>',
    '  <artifactId>kafka-connect-local</artifactId>',
    '  <version>1</version>',
    '  <packaging>pom</packaging>',
    '  <dependencies>',
    dependency('org.apache.kafka', 'connect-runtime', VERSIONS.kafka),
    dependency('org.apache.kafka', 'connect-json', VERSIONS.kafka),
    dependency('org.slf4j', 'slf4j-reload4j', '1.7.36'),
    dependency('ch.qos.reload4j', 'reload4j', '1.2.25'),
    '  </dependencies>',
    '</project>',
    '',
  ].join('\n');
}

/**
 * Kafka Connect in standalone mode (`ConnectStandalone`, as connect-standalone.sh
 * runs it) with MongoDB's sink connector on its plugin path, for benchmarks
 * against the tool users would otherwise pick. No connector at start: they come
 * and go through the REST API, so one warm worker serves many measurements.
 */
export function createKafkaConnectService(options: LocalInfraOptions, extras: KafkaConnectExtras): KafkaConnectService {
  const cacheDir = join(options.cacheDir, `kafka-connect-${VERSIONS.kafka}`);
  const libsDir = join(cacheDir, 'libs');
  const pluginsDir = join(options.cacheDir, `mongo-kafka-connect-${MONGO_SINK_CONNECTOR_VERSION}`, 'plugins');
  const sinkJar = `mongo-kafka-connect-${MONGO_SINK_CONNECTOR_VERSION}-all.jar`;
  const home = join(options.stateDir, 'kafka-connect');
  const workerFile = join(home, 'connect-standalone.properties');
  const log4jFile = join(home, 'connect-log4j.properties');
  const pidFile = join(home, 'kafka-connect.pid');
  const logFile = join(home, 'kafka-connect.log');
  const baseUrl = `http://127.0.0.1:${extras.restPort}`;

  async function rest(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  }

  async function healthy(): Promise<boolean> {
    try {
      return (await rest('GET', '/connector-plugins')).status === 200;
    } catch {
      return false;
    }
  }

  function writeConfig(): void {
    mkdirSync(home, { recursive: true });
    writeFileSync(
      workerFile,
      [
        `bootstrap.servers=${extras.brokers}`,
        // connectors name their own converters; these are only the worker's defaults
        'key.converter=org.apache.kafka.connect.storage.StringConverter',
        'value.converter=org.apache.kafka.connect.storage.StringConverter',
        `offset.storage.file.filename=${join(home, 'connect.offsets')}`,
        `offset.flush.interval.ms=${extras.offsetFlushIntervalMs ?? 60_000}`,
        `plugin.path=${pluginsDir}`,
        // the sink's jar carries no ServiceLoader manifest: find the connector by scanning
        'plugin.discovery=only_scan',
        `listeners=http://127.0.0.1:${extras.restPort}`,
        'rest.advertised.host.name=127.0.0.1',
        // benchmarks set consumer.override.* per connector
        'connector.client.config.override.policy=All',
        '',
      ].join('\n'),
    );
    writeFileSync(
      log4jFile,
      quietLog4j('org.apache.kafka.connect.runtime.Connect'),
    );
  }

  const service: KafkaConnectService = {
    name: 'kafka-connect',
    endpoint: baseUrl,
    logFile,
    async provision(report) {
      const haveRuntime = existsSync(libsDir) && readdirSync(libsDir).some((f) => f.startsWith('connect-runtime-'));
      const haveSink = existsSync(join(pluginsDir, 'mongo-kafka-connect', sinkJar));
      if (haveRuntime && haveSink) return false;
      requireTool('mvn', '-v', `Kafka Connect ${VERSIONS.kafka}`, 'install Maven (apt-get install maven)');
      if (!haveRuntime) {
        report(`kafka-connect: resolving connect-runtime and connect-json ${VERSIONS.kafka} from Maven Central`);
        mkdirSync(cacheDir, { recursive: true });
        writeFileSync(join(cacheDir, 'pom.xml'), runtimePom());
        run('mvn', ['-q', '-B', '-f', join(cacheDir, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${libsDir}`, '-DincludeScope=runtime'], {
          what: 'kafka connect provisioning',
        });
      }
      if (!haveSink) {
        report(`kafka-connect: fetching org.mongodb.kafka:mongo-kafka-connect:${MONGO_SINK_CONNECTOR_VERSION}:jar:all from Maven Central`);
        run('mvn', ['-q', '-B', 'dependency:copy', `-Dartifact=org.mongodb.kafka:mongo-kafka-connect:${MONGO_SINK_CONNECTOR_VERSION}:jar:all`, `-DoutputDirectory=${join(pluginsDir, 'mongo-kafka-connect')}`], {
          what: 'mongo sink connector provisioning',
        });
      }
      return true;
    },
    pid: () => readPid(pidFile),
    runningEndpoint: () => (readPid(pidFile) === undefined ? undefined : readRecordedEndpoint(pidFile)),
    healthy,
    async start() {
      await assertPortsFree('kafka-connect', [['restPort', extras.restPort]]);
      const java = requireJava(options.javaForKafka, 17, `Kafka Connect ${VERSIONS.kafka}`, 'ETL_KAFKA_JAVA');
      writeConfig();
      // heap and GC as connect-standalone.sh / kafka-run-class.sh set them
      const jvm = ['-Xms256M', '-Xmx2G', '-server', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35', '-XX:+ExplicitGCInvokesConcurrent', '-Djava.awt.headless=true'];
      const pid = startDetached(java, [...jvm, `-Dlog4j.configuration=file:${log4jFile}`, '-cp', `${libsDir}/*`, 'org.apache.kafka.connect.cli.ConnectStandalone', workerFile], {
        cwd: home,
        logFile,
        pidFile,
        endpoint: baseUrl,
      });
      await waitUntil('kafka-connect', healthy, options.startTimeoutSec, () => readPid(pidFile) === pid, logFile);
    },
    stop: () => stopProcess(pidFile, 20_000),

    async createConnector(name, config, timeoutMs = 60_000) {
      const created = await rest('POST', '/connectors', { name, config });
      if (created.status !== 201) {
        throw new InfraError('START_FAILED', `kafka-connect: connector ${name} was refused (${created.status}): ${JSON.stringify(created.json)}`);
      }
      const wanted = Number(config['tasks.max'] ?? 1);
      await waitUntil(
        `connector ${name}`,
        async () => {
          const state = await service.connectorState(name);
          const failed = state && [state.connector, ...state.tasks].includes('FAILED');
          if (failed) throw new InfraError('START_FAILED', `kafka-connect: connector ${name} failed: ${JSON.stringify((await rest('GET', `/connectors/${name}/status`)).json)}`);
          return !!state && state.connector === 'RUNNING' && state.tasks.length === wanted && state.tasks.every((t) => t === 'RUNNING');
        },
        Math.ceil(timeoutMs / 1000),
        () => readPid(pidFile) !== undefined,
        logFile,
      );
    },
    async deleteConnector(name) {
      const deleted = await rest('DELETE', `/connectors/${name}`);
      if (deleted.status !== 204 && deleted.status !== 404) {
        throw new InfraError('START_FAILED', `kafka-connect: deleting connector ${name} answered ${deleted.status}`);
      }
    },
    async connectorState(name) {
      const status = await rest('GET', `/connectors/${name}/status`);
      if (status.status !== 200) return undefined;
      const body = status.json as { connector: { state: string }; tasks: Array<{ state: string }> };
      return { connector: body.connector.state, tasks: body.tasks.map((t) => t.state) };
    },
  };
  return service;
}
