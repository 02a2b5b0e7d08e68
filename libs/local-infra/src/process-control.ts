import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname } from 'node:path';
import { InfraError } from './infra.errors';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]?.trim());
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

/** The endpoint a running service was started with (second line of its pid file). */
export function readRecordedEndpoint(pidFile: string): string | undefined {
  if (!existsSync(pidFile)) return undefined;
  return readFileSync(pidFile, 'utf8').split('\n')[1]?.trim() || undefined;
}

/** A loopback port nobody listens on right now (the OS picks it): private servers in tests and the fault suite. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isPortOpen(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function assertPortsFree(service: string, ports: Array<[string, number]>): Promise<void> {
  for (const [envVar, port] of ports) {
    if (await isPortOpen(port)) {
      throw new InfraError(
        'PORT_TAKEN',
        `${service}: port ${port} is already used by another process; stop it or choose another port with ${envVar}=<port>`,
      );
    }
  }
}

/** Starts a long-lived server detached from this process, output appended to logFile. */
export function startDetached(command: string, args: string[], opts: { cwd: string; logFile: string; pidFile: string; endpoint: string; env?: NodeJS.ProcessEnv }): number {
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const out = openSync(opts.logFile, 'a');
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['ignore', out, out],
  });
  if (child.pid === undefined) {
    throw new InfraError('START_FAILED', `could not start ${command}; see ${opts.logFile}`);
  }
  child.unref();
  writeFileSync(opts.pidFile, `${child.pid}\n${opts.endpoint}\n`);
  return child.pid;
}

/** SIGTERM, then SIGKILL after graceMs; the process group goes with it. */
export async function stopProcess(pidFile: string, graceMs: number): Promise<boolean> {
  const pid = readPid(pidFile);
  if (pid === undefined) {
    rmSync(pidFile, { force: true });
    return false;
  }
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await delay(100);
  if (isAlive(pid)) signalGroup(pid, 'SIGKILL');
  while (isAlive(pid)) await delay(50);
  rmSync(pidFile, { force: true });
  return true;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs a provisioning step; a failure names the command and the log to read. */
export function run(command: string, args: string[], options: SpawnSyncOptions & { what: string }): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) {
    throw new InfraError('PROVISION_FAILED', `${options.what}: cannot run ${command} (${result.error.message})`);
  }
  if (result.status !== 0) {
    const tail = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new InfraError('PROVISION_FAILED', `${options.what}: "${command} ${args.join(' ')}" exited with ${result.status}\n${tail}`);
  }
  return String(result.stdout ?? '');
}

export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutSec: number, isStillRunning: () => boolean, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutSec * 1000;
  while (Date.now() < deadline) {
    if (await check()) return;
    if (!isStillRunning()) {
      throw new InfraError('START_FAILED', `${what} exited during start-up; see ${logFile}`);
    }
    await delay(250);
  }
  throw new InfraError('START_TIMEOUT', `${what} did not answer within ${timeoutSec}s; see ${logFile}`);
}
