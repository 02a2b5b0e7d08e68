import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { VERSIONS, type LocalInfraOptions } from '../infra.options';
import { requireTool } from '../prerequisites';
import { assertPortsFree, readRecordedEndpoint, isPortOpen, readPid, run, startDetached, stopProcess, waitUntil } from '../process-control';
import { FERRETDB_BUILD_TAG, patchedFerretdbModule } from './ferretdb-source';
import type { LocalService } from './service';

/** Where `npm run infra:up` leaves the FerretDB build (the faults tool starts private copies of it). */
export function ferretdbBinaryPath(options: Pick<LocalInfraOptions, 'cacheDir'>): string {
  return join(options.cacheDir, `ferretdb-local-${VERSIONS.ferretdb}-${FERRETDB_BUILD_TAG}`);
}

/** FerretDB 1.x (MongoDB wire protocol) built from tools/infra/ferretdb, our wrapper of its embeddable package, with the _id lookup fix of ferretdb-source.ts. */
export function createMongoService(options: LocalInfraOptions): LocalService {
  const binary = ferretdbBinaryPath(options);
  const home = join(options.stateDir, 'mongo');
  const pidFile = join(home, 'ferretdb.pid');
  const logFile = join(home, 'ferretdb.log');
  const port = options.ports.mongo;

  return {
    name: 'mongo',
    endpoint: `mongodb://127.0.0.1:${port}/`,
    logFile,
    async provision(report) {
      if (existsSync(binary)) return false;
      requireTool('go', 'version', `FerretDB ${VERSIONS.ferretdb}`, 'install Go 1.22+ (https://go.dev/dl or apt-get install golang)');
      report(`mongo: building FerretDB ${VERSIONS.ferretdb} (Go module proxy); the first build takes a few minutes`);
      const wrapperDir = join(options.rootDir, 'tools/infra/ferretdb');
      const { modfile } = patchedFerretdbModule(wrapperDir, options.cacheDir, VERSIONS.ferretdb);
      run('go', ['build', '-modfile', modfile, '-o', binary, '.'], { cwd: wrapperDir, what: 'FerretDB build' });
      return true;
    },
    pid: () => readPid(pidFile),
    runningEndpoint: () => (readPid(pidFile) === undefined ? undefined : readRecordedEndpoint(pidFile)),
    healthy: () => isPortOpen(port),
    async start() {
      await assertPortsFree('mongo', [['ETL_MONGO_PORT', port]]);
      const dataDir = join(home, 'data');
      mkdirSync(dataDir, { recursive: true });
      const backend =
        options.ferretdbHandler === 'sqlite'
          ? ['--handler', 'sqlite', '--sqlite-url', `file:${dataDir}/`]
          : ['--handler', 'postgresql', '--postgresql-url', options.ferretdbPostgresUrl ?? ''];
      const pid = startDetached(binary, ['--listen', `127.0.0.1:${port}`, ...backend], { cwd: home, logFile, pidFile, endpoint: `mongodb://127.0.0.1:${port}/` });
      await waitUntil('mongo', () => isPortOpen(port), options.startTimeoutSec, () => readPid(pidFile) === pid, logFile);
    },
    stop: () => stopProcess(pidFile, 10_000),
  };
}
