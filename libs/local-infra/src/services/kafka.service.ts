import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSIONS, type LocalInfraOptions } from '../infra.options';
import { requireJava, requireTool } from '../prerequisites';
import { assertPortsFree, readRecordedEndpoint, isPortOpen, readPid, run, startDetached, stopProcess, waitUntil } from '../process-control';
import type { LocalService } from './service';

/** A SCRAM-SHA-256 user created when the storage is formatted; the client listener then asks for it. */
export interface KafkaScramUser {
  username: string;
  password: string;
}

export interface KafkaServiceExtras {
  /** Set: the client listener is SASL_PLAINTEXT with SCRAM-SHA-256 (the controller listener stays plaintext on loopback). */
  scram?: KafkaScramUser;
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

/** Single-node KRaft broker from Maven Central jars (no tarball on our registries). */
export function createKafkaService(options: LocalInfraOptions, extras: KafkaServiceExtras = {}): LocalService {
  const { scram } = extras;
  if (scram && !(SCRAM_SAFE.test(scram.username) && SCRAM_SAFE.test(scram.password))) {
    throw new Error('kafka: the SCRAM user name and password may hold only letters, digits and . _ ~ + -');
  }
  const libsDir = join(options.cacheDir, `kafka-${VERSIONS.kafka}`, 'libs');
  const home = join(options.stateDir, 'kafka');
  const dataDir = join(home, 'data');
  const configFile = join(home, 'server.properties');
  const log4jFile = join(home, 'log4j.properties');
  const pidFile = join(home, 'kafka.pid');
  const logFile = join(home, 'kafka.log');
  const { kafka: port, kafkaController: controllerPort } = options.ports;
  const java = () => requireJava(options.javaForKafka, 17, `Kafka ${VERSIONS.kafka}`, 'ETL_KAFKA_JAVA');

  function writeConfig(): void {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(
      configFile,
      [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
        ...listenerConfig(port, controllerPort, scram),
        'controller.listener.names=CONTROLLER',
        `log.dirs=${dataDir}`,
        'num.partitions=3',
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=10',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
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
      [
        'log4j.rootLogger=WARN, stdout',
        'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
        'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
        'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
        'log4j.logger.kafka.server.KafkaRaftServer=INFO',
        '',
      ].join('\n'),
    );
  }

  const classpath = () => `${libsDir}/*`;
  const log4jArg = () => `-Dlog4j.configuration=file:${log4jFile}`;

  return {
    name: 'kafka',
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
      await assertPortsFree('kafka', [
        ['ETL_KAFKA_PORT', port],
        ['ETL_KAFKA_CONTROLLER_PORT', controllerPort],
      ]);
      const javaBin = java();
      writeConfig();
      if (!existsSync(join(dataDir, 'meta.properties'))) {
        const clusterId = randomBytes(16).toString('base64url');
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
      const pid = startDetached(javaBin, ['-Xms256m', '-Xmx768m', '-cp', classpath(), log4jArg(), 'kafka.Kafka', configFile], {
        cwd: home,
        logFile,
        pidFile,
        endpoint: `127.0.0.1:${port}`,
      });
      await waitUntil('kafka', () => isPortOpen(port), options.startTimeoutSec, () => readPid(pidFile) === pid, logFile);
    },
    stop: () => stopProcess(pidFile, 20_000),
  };
}
