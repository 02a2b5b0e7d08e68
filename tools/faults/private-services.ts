import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ferretdbBinaryPath, localInfraOptionsFromEnv, registryJavaArgs, VERSIONS } from '@brokered-etl/local-infra';
import { REPO_ROOT } from '@brokered-etl/testing';
import { freePort, isPortOpen, pollUntil } from './process-tree';

/**
 * A server of one scenario's own, on free loopback ports with its data in a
 * temp dir, so stopping it never touches the shared services other tests and
 * engineers use. Same binaries as local-infra (its cache); started and
 * stopped here because local-infra exports only the Kafka service.
 */
export interface PrivateServer {
  name: string;
  endpoint: string;
  start(): Promise<void>;
  /** SIGTERM to its process group, SIGKILL after a grace; resolves once it is gone. */
  stop(): Promise<void>;
  isRunning(): boolean;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
  logFile: string;
}

interface ServerSpec {
  name: string;
  endpoint: string;
  command: string;
  args: string[];
  stateDir: string;
  ready(): Promise<boolean>;
  startTimeoutMs: number;
  stopGraceMs: number;
}

const live = new Set<ChildProcess>();
// a harness that dies (an error, Ctrl-C) must not leave servers behind on the host
process.once('exit', () => live.forEach((child) => signalGroup(child, 'SIGKILL')));

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function createServer(spec: ServerSpec): PrivateServer {
  const logFile = join(spec.stateDir, `${spec.name}.log`);
  let child: ChildProcess | undefined;
  let exited: Promise<void> | undefined;

  const stop = async () => {
    const running = child;
    if (!running || !exited) return;
    signalGroup(running, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(running, 'SIGKILL'), spec.stopGraceMs);
    await exited;
    clearTimeout(timer);
    child = exited = undefined;
  };

  return {
    name: spec.name,
    endpoint: spec.endpoint,
    logFile,
    isRunning: () => child !== undefined,
    async start() {
      if (child) return;
      const out = openSync(logFile, 'a');
      const started = spawn(spec.command, spec.args, { cwd: spec.stateDir, detached: true, stdio: ['ignore', out, out] });
      closeSync(out);
      child = started;
      live.add(started);
      exited = new Promise((resolve) => started.once('exit', () => (live.delete(started), resolve())));
      const up = await pollUntil(async () => {
        if (started.exitCode !== null || started.signalCode !== null) throw new Error('exited');
        return spec.ready();
      }, spec.startTimeoutMs);
      if (!up || started.exitCode !== null) {
        await stop();
        throw new Error(`private ${spec.name} did not come up within ${spec.startTimeoutMs / 1000} s; see ${logFile}`);
      }
    },
    stop,
    async destroy() {
      await stop();
      rmSync(spec.stateDir, { recursive: true, force: true });
    },
  };
}

const infraOptions = () => localInfraOptionsFromEnv(REPO_ROOT, process.env);

/** FerretDB (SQLite backend) built by `npm run infra:up`, on a free port with its own data dir. */
export async function createPrivateMongo(): Promise<PrivateServer> {
  const binary = ferretdbBinaryPath(infraOptions());
  if (!existsSync(binary)) throw new Error(`FerretDB is not built yet (${binary}); run "npm run infra:up" once`);
  const stateDir = mkdtempSync(join(tmpdir(), 'etl-faults-mongo-'));
  mkdirSync(join(stateDir, 'data'));
  const port = await freePort();
  return createServer({
    name: 'mongo',
    endpoint: `mongodb://127.0.0.1:${port}/`,
    command: binary,
    args: ['--listen', `127.0.0.1:${port}`, '--handler', 'sqlite', '--sqlite-url', `file:${join(stateDir, 'data')}/`],
    stateDir,
    ready: () => isPortOpen(port),
    startTimeoutMs: 60_000,
    stopGraceMs: 10_000,
  });
}

/** Apicurio Registry as local-infra runs it (Java 21+, H2 file storage), on free ports with its own data dir. */
export async function createPrivateRegistry(): Promise<PrivateServer> {
  const options = infraOptions();
  const jar = join(options.cacheDir, `apicurio-registry-${VERSIONS.apicurio}`, 'quarkus-run.jar');
  if (!existsSync(jar)) throw new Error(`Apicurio Registry is not provisioned yet (${jar}); run "npm run infra:up" once`);
  const java = findJava21(options.javaForRegistry);
  const stateDir = mkdtempSync(join(tmpdir(), 'etl-faults-registry-'));
  const [port, managementPort] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${port}/apis/ccompat/v7`;
  return createServer({
    name: 'registry',
    endpoint: base,
    command: java,
    args: [...registryJavaArgs({ port, managementPort, dataDir: join(stateDir, 'data') }), jar],
    stateDir,
    async ready() {
      try {
        return (await fetch(`${base}/subjects`, { signal: AbortSignal.timeout(1000) })).ok;
      } catch {
        return false;
      }
    },
    startTimeoutMs: 120_000,
    stopGraceMs: 15_000,
  });
}

/** Java 21+ as local-infra looks for it: ETL_REGISTRY_JAVA, `java`, then the newest JDK under /usr/lib/jvm. */
function findJava21(configured: string | undefined): string {
  const jvm = '/usr/lib/jvm';
  const installed = existsSync(jvm)
    ? readdirSync(jvm)
        .map((dir) => join(jvm, dir, 'bin', 'java'))
        .filter((java) => existsSync(java))
    : [];
  for (const java of [configured, 'java', ...installed]) {
    if (java && javaMajor(java) >= 21) return java;
  }
  throw new Error('the private registry needs Java 21+ (as `npm run infra:up` does); set ETL_REGISTRY_JAVA=/path/to/bin/java');
}

function javaMajor(java: string): number {
  const release = join(java, '..', '..', 'release');
  if (java.includes('/') && existsSync(release)) return Number(/JAVA_VERSION="(\d+)/.exec(readFileSync(release, 'utf8'))?.[1] ?? 0);
  const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
  return Number(/version "(\d+)/.exec(result.stderr ?? '')?.[1] ?? 0);
}
