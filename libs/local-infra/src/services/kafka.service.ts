import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSIONS, type LocalInfraOptions } from '../infra.options';
import { requireJava, requireTool } from '../prerequisites';
import { assertPortsFree, readRecordedEndpoint, isPortOpen, readPid, run, startDetached, stopProcess, waitUntil } from '../process-control';
import type { LocalService } from './service';

/** Single-node KRaft broker from Maven Central jars (no tarball on our registries). */
export function createKafkaService(options: LocalInfraOptions): LocalService {
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
        `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
        'controller.listener.names=CONTROLLER',
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
        'inter.broker.listener.name=PLAINTEXT',
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
        run(javaBin, ['-cp', classpath(), log4jArg(), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', configFile], {
          what: 'kafka storage format',
        });
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
