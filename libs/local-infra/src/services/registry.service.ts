import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InfraError } from '../infra.errors';
import { VERSIONS, type LocalInfraOptions } from '../infra.options';
import { findJavaAtLeast, requireTool } from '../prerequisites';
import { assertPortsFree, readRecordedEndpoint, readPid, run, startDetached, stopProcess, waitUntil } from '../process-control';
import type { LocalService } from './service';

/** Apicurio Registry (Quarkus app from Maven Central's `all` tar.gz), Confluent API at /apis/ccompat/v7. */
export function createRegistryService(options: LocalInfraOptions): LocalService {
  const appDir = join(options.cacheDir, `apicurio-registry-${VERSIONS.apicurio}`);
  const home = join(options.stateDir, 'registry');
  const pidFile = join(home, 'registry.pid');
  const logFile = join(home, 'registry.log');
  const { registry: port, registryManagement: managementPort } = options.ports;
  const subjectsUrl = `http://127.0.0.1:${port}/apis/ccompat/v7/subjects`;

  async function healthy(): Promise<boolean> {
    try {
      const response = await fetch(subjectsUrl, { signal: AbortSignal.timeout(1000) });
      return response.ok;
    } catch {
      return false;
    }
  }

  return {
    name: 'registry',
    endpoint: `http://127.0.0.1:${port}/apis/ccompat/v7`,
    logFile,
    async provision(report) {
      if (existsSync(join(appDir, 'quarkus-run.jar'))) return false;
      requireTool('mvn', '-v', `Apicurio Registry ${VERSIONS.apicurio}`, 'install Maven (apt-get install maven)');
      report(`registry: fetching io.apicurio:apicurio-registry-app:${VERSIONS.apicurio}:tar.gz:all from Maven Central`);
      const downloadDir = join(options.cacheDir, 'downloads');
      run('mvn', ['-q', '-B', 'dependency:copy', `-Dartifact=io.apicurio:apicurio-registry-app:${VERSIONS.apicurio}:tar.gz:all`, `-DoutputDirectory=${downloadDir}`], {
        what: 'registry provisioning',
      });
      mkdirSync(appDir, { recursive: true });
      run('tar', ['xzf', join(downloadDir, `apicurio-registry-app-${VERSIONS.apicurio}-all.tar.gz`), '-C', appDir], { what: 'registry unpacking' });
      return true;
    },
    pid: () => readPid(pidFile),
    runningEndpoint: () => (readPid(pidFile) === undefined ? undefined : readRecordedEndpoint(pidFile)),
    healthy,
    async start() {
      await assertPortsFree('registry', [
        ['ETL_REGISTRY_PORT', port],
        ['ETL_REGISTRY_MANAGEMENT_PORT', managementPort],
      ]);
      const java = findJavaAtLeast(21, [options.javaForRegistry]);
      if (!java) {
        throw new InfraError('PREREQUISITE_MISSING', `Apicurio Registry ${VERSIONS.apicurio} needs Java 21+ and none was found (PATH, JAVA_HOME, /usr/lib/jvm); install one or set ETL_REGISTRY_JAVA=/path/to/bin/java`);
      }
      mkdirSync(home, { recursive: true });
      const pid = startDetached(
        java,
        [
          ...registryJavaArgs({ port, managementPort, dataDir: join(home, 'data') }),
          join(appDir, 'quarkus-run.jar'),
        ],
        { cwd: home, logFile, pidFile, endpoint: `http://127.0.0.1:${port}/apis/ccompat/v7` },
      );
      await waitUntil('registry', healthy, options.startTimeoutSec, () => readPid(pidFile) === pid, logFile);
    },
    stop: () => stopProcess(pidFile, 15_000),
  };
}

/** The Apicurio JVM's arguments up to its jar: loopback only, H2 file storage, canonical-hash lookups. */
export function registryJavaArgs(options: { port: number; managementPort: number; dataDir: string }): string[] {
  return [
    '-Xms128m',
    '-Xmx512m',
    '-Dquarkus.http.host=127.0.0.1',
    `-Dquarkus.http.port=${options.port}`,
    '-Dquarkus.management.host=127.0.0.1',
    `-Dquarkus.management.port=${options.managementPort}`,
    // ids must survive a restart: Kafka keeps messages that carry them
    `-Dapicurio.datasource.url=jdbc:h2:file:${join(options.dataDir, 'registry')}`,
    // Confluent clients look schemas up by content: hash the canonical form, as Confluent does
    '-Dapicurio.ccompat.use-canonical-hash=true',
    '-Dquarkus.log.level=WARN',
    '-Dquarkus.log.category."io.apicurio".level=WARN',
    '-jar',
  ];
}
