import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSIONS, type LocalInfraOptions } from '../infra.options';
import { requireJava, requireTool } from '../prerequisites';
import { assertPortsFree, readRecordedEndpoint, isPortOpen, readPid, run, startDetached, stopProcess, waitUntil } from '../process-control';
import type { LocalService } from './service';

/**
 * A KRaft cluster id as Kafka's own Uuid.randomUuid makes one: 16 random bytes in base64url, drawn again when it
 * starts with "-", which kafka-storage's argument parser reads as an option ("--cluster-id: expected one argument").
 */
export function newClusterId(draw: () => Buffer = () => randomBytes(16)): string {
  for (;;) {
    const id = draw().toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** A SCRAM-SHA-256 user created when the storage is formatted; the client listener then asks for it. */
export interface KafkaScramUser {
  username: string;
  password: string;
}

export interface KafkaServiceExtras {
  /** Set: the client listener is SASL_PLAINTEXT with SCRAM-SHA-256 (the controller listener stays plaintext on loopback). */
  scram?: KafkaScramUser;
  /** Set: this server is one node of a multi-node KRaft cluster (kafka-cluster.ts), not the single broker. */
  node?: KafkaClusterNode;
}

/** One combined broker+controller of a local cluster: its own id, ports and folder; the quorum and cluster id shared. */
export interface KafkaClusterNode {
  id: number;
  /** kafka-1, kafka-2, …: the service's name in status and logs. */
  name: string;
  /** Its folder (config, data, log, pid file). */
  home: string;
  port: number;
  controllerPort: number;
  /** controller.quorum.voters of the whole cluster: id@host:port,… */
  voters: string;
  /** Every node's storage is formatted with the same cluster id. */
  clusterId(): string;
  /** Nodes in the cluster: the replication factor of Kafka's own topics and the default of ours. */
  size: number;
}

/** SCRAM names and passwords go inside [name=…,password=…] and a JAAS string: keep them to characters that need no quoting. */
const SCRAM_SAFE = /^[A-Za-z0-9._~+-]+$/;

/** The listener lines: plaintext by default; with SCRAM the broker also talks to itself over the SASL listener as the same user. */
function listenerConfig(port: number, controllerPort: number, scram: KafkaScramUser | undefined): string[] {
  if (!scram) {
    return [
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
    ];
  }
  return [
    `listeners=SASL_PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=SASL_PLAINTEXT://127.0.0.1:${port}`,
    'listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=SASL_PLAINTEXT',
    'sasl.enabled.mechanisms=SCRAM-SHA-256',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-256',
    `listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${scram.username}" password="${scram.password}";`,
  ];
}

/**
 * Kafka's own topics (offsets, transactions) on every node of the cluster and
 * a write on two of three: one node can be lost without losing a commit. Our
 * topics set their own (KAFKA_TOPIC_*); these are the defaults for others.
 */
function replicationConfig(nodes: number): string[] {
  const minIsr = nodes >= 3 ? 2 : 1;
  return [
    `default.replication.factor=${nodes}`,
    `min.insync.replicas=${minIsr}`,
    `offsets.topic.replication.factor=${nodes}`,
    `transaction.state.log.replication.factor=${nodes}`,
    `transaction.state.log.min.isr=${minIsr}`,
  ];
}

/** KafkaRaftServer's INFO line once the broker is up and unfenced (KafkaBroker.STARTED_MESSAGE). */
const STARTED_LINE = 'Kafka Server started';

/** What a log gained since offset (one start's lines: the log is appended across restarts). */
function logSince(logFile: string, offset: number): string {
  if (!existsSync(logFile)) return '';
  const length = statSync(logFile).size - offset;
  if (length <= 0) return '';
  const fd = openSync(logFile, 'r');
  try {
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, offset);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** KRaft broker (single node, or one node of a cluster) from Maven Central jars (no tarball on our registries). */
/** Kafka's log4j 1 settings for a server we start: warnings only, plus INFO from the one logger that says it is up. */
export function quietLog4j(startupLogger: string): string {
  return [
    'log4j.rootLogger=WARN, stdout',
    'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
    'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
    `log4j.logger.${startupLogger}=INFO`,
    '',
  ].join('\n');
}

export function createKafkaService(options: LocalInfraOptions, extras: KafkaServiceExtras = {}): LocalService {
  const { scram } = extras;
  if (scram && !(SCRAM_SAFE.test(scram.username) && SCRAM_SAFE.test(scram.password))) {
    throw new Error('kafka: the SCRAM user name and password may hold only letters, digits and . _ ~ + -');
  }
  const { node } = extras;
  const libsDir = join(options.cacheDir, `kafka-${VERSIONS.kafka}`, 'libs');
  const home = node?.home ?? join(options.stateDir, 'kafka');
  const dataDir = join(home, 'data');
  const configFile = join(home, 'server.properties');
  const log4jFile = join(home, 'log4j.properties');
  const pidFile = join(home, 'kafka.pid');
  const logFile = join(home, 'kafka.log');
  const [port, controllerPort] = node ? [node.port, node.controllerPort] : [options.ports.kafka, options.ports.kafkaController];
  const portVars: Array<[string, number]> = node
    ? [[`ETL_KAFKA_PORT (+${2 * (node.id - 1)} for ${node.name})`, port], [`ETL_KAFKA_CONTROLLER_PORT (+${2 * (node.id - 1)} for ${node.name})`, controllerPort]]
    : [['ETL_KAFKA_PORT', port], ['ETL_KAFKA_CONTROLLER_PORT', controllerPort]];
  const java = () => requireJava(options.javaForKafka, 17, `Kafka ${VERSIONS.kafka}`, 'ETL_KAFKA_JAVA');

  function writeConfig(): void {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(
      configFile,
      [
        'process.roles=broker,controller',
        `node.id=${node?.id ?? 1}`,
        `controller.quorum.voters=${node?.voters ?? `1@127.0.0.1:${controllerPort}`}`,
        ...listenerConfig(port, controllerPort, scram),
        'controller.listener.names=CONTROLLER',
        `log.dirs=${dataDir}`,
        'num.partitions=3',
        ...replicationConfig(node?.size ?? 1),
        'offsets.topic.num.partitions=10',
        // tests and the demo create groups constantly: do not wait 3 s for more members
        'group.initial.rebalance.delay.ms=0',
        // topics are created on purpose (contracts), never by a typo
        'auto.create.topics.enable=false',
        'message.max.bytes=4194304',
        '',
      ].join('\n'),
    );
    writeFileSync(
      log4jFile,
      quietLog4j('kafka.server.KafkaRaftServer'),
    );
  }

  const classpath = () => `${libsDir}/*`;
  const log4jArg = () => `-Dlog4j.configuration=file:${log4jFile}`;

  return {
    name: node?.name ?? 'kafka',
    endpoint: `127.0.0.1:${port}`,
    logFile,
    async provision(report) {
      if (existsSync(libsDir) && readdirSync(libsDir).some((f) => f.startsWith('kafka_2.13-'))) return false;
      requireTool('mvn', '-v', `Kafka ${VERSIONS.kafka}`, 'install Maven (apt-get install maven)');
      report(`kafka: resolving kafka_2.13:${VERSIONS.kafka} and a log binding from Maven Central`);
      run('mvn', ['-q', '-B', '-f', join(options.rootDir, 'tools/infra/kafka/pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${libsDir}`, '-DincludeScope=runtime'], {
        what: 'kafka provisioning',
      });
      return true;
    },
    pid: () => readPid(pidFile),
    runningEndpoint: () => (readPid(pidFile) === undefined ? undefined : readRecordedEndpoint(pidFile)),
    healthy: () => isPortOpen(port),
    async start() {
      await assertPortsFree(node?.name ?? 'kafka', portVars);
      const javaBin = java();
      writeConfig();
      if (!existsSync(join(dataDir, 'meta.properties'))) {
        const clusterId = node?.clusterId() ?? newClusterId();
        // KRaft has no ZooKeeper to hold SCRAM users: they are written into the metadata log at format time
        const addScram = scram ? ['--add-scram', `SCRAM-SHA-256=[name=${scram.username},password=${scram.password}]`] : [];
        try {
          run(javaBin, ['-cp', classpath(), log4jArg(), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', configFile, ...addScram], {
            what: 'kafka storage format',
          });
        } catch (err) {
          // the failure quotes the command line, which holds the SCRAM password
          if (scram && err instanceof Error) err.message = err.message.split(scram.password).join('***');
          throw err;
        }
      }
      const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
      const pid = startDetached(javaBin, ['-Xms256m', node ? '-Xmx512m' : '-Xmx768m', '-cp', classpath(), log4jArg(), 'kafka.Kafka', configFile], {
        cwd: home,
        logFile,
        pidFile,
        endpoint: `127.0.0.1:${port}`,
      });
      await waitUntil(node?.name ?? 'kafka', () => isPortOpen(port), options.startTimeoutSec, () => readPid(pidFile) === pid, logFile);
      // a cluster node's port opens before the controller unfences it; KafkaRaftServer logs this line only after
      // (BrokerServer.startup waits for the unfencing), so a replication factor of `size` can be placed once every node has
      if (node) await waitUntil(`${node.name} registered`, async () => logSince(logFile, logStart).includes(STARTED_LINE), options.startTimeoutSec, () => readPid(pidFile) === pid, logFile);
    },
    stop: () => stopProcess(pidFile, 20_000),
  };
}
