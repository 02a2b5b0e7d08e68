import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StageName } from '@brokered-etl/contracts';
import { parseLogLine, startApp, type AppProcess } from '@brokered-etl/testing';
import { descendantsOf, killTree, pollUntil } from './process-tree';

export const STAGES: readonly StageName[] = ['extractor', 'transformer', 'loader'];

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
  /** We killed or stopped it; otherwise it died on its own. */
  byUs: boolean;
  /** Asked to stop (SIGTERM) but still there after the grace: SIGKILLed. */
  forced?: boolean;
  /** When we sent the signal (the exit itself is `at`). */
  signalledAt?: number;
}

export interface WorkerInstance {
  /** "extractor#2": the stage and the how-manieth instance of it this scenario started. */
  id: string;
  stage: StageName;
  app: AppProcess;
  startedAt: number;
  exit?: WorkerExit;
}

/** The stage worker processes of one scenario, each a real app process (apps/<stage>/src/main.ts). */
export interface WorkerPool {
  start(stage: StageName): WorkerInstance;
  /** Resolves when the instance logged "joined group"; rejects if it exits first or the time runs out. */
  joined(instance: WorkerInstance, timeoutMs?: number): Promise<void>;
  startJoined(stage: StageName, timeoutMs?: number): Promise<WorkerInstance>;
  running(stage?: StageName): WorkerInstance[];
  all(): WorkerInstance[];
  /** SIGKILL of each instance's whole process tree at once: a crash, nothing flushed or committed. */
  kill(instances: WorkerInstance[]): Promise<void>;
  /** SIGTERM, as an orchestrator scaling in: the worker leaves its group; a crash if it has not gone after graceMs. */
  stop(instance: WorkerInstance, graceMs?: number): Promise<void>;
  /** Instances that exited without us asking. */
  unexpectedExits(): WorkerInstance[];
  writeLogs(dir: string): void;
  close(): Promise<void>;
}

const isJoined = (line: string) => parseLogLine(line)?.['message'] === 'joined group';

const live = new Set<WorkerInstance>();
// a harness that dies (an error, Ctrl-C, SIGTERM) must not leave workers running on the host
process.once('exit', () => live.forEach((instance) => instance.app.child.pid !== undefined && killTree(instance.app.child.pid)));

/**
 * SIGTERM to the worker itself, not to startApp's tsx parent: tsx passes a
 * SIGTERM on, waits 30 ms for the child to acknowledge it, and SIGKILLs the
 * child when it has not (a worker busy on a chunk, a loaded host), which
 * would turn a graceful leave into a crash. Before the worker exists, tsx gets it.
 */
function terminate(instance: WorkerInstance): void {
  const pid = instance.app.child.pid;
  const workers = pid === undefined ? [] : descendantsOf(pid);
  if (!workers.length) instance.app.child.kill('SIGTERM');
  for (const worker of workers) {
    try {
      process.kill(worker, 'SIGTERM');
    } catch {
      // gone meanwhile
    }
  }
}

/** The harness's own account of an instance, as the last line of its log: what the worker could not log itself. */
function harnessLine({ id, startedAt, exit }: WorkerInstance): string {
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  return JSON.stringify({ harness: 'faults', id, ...exit, startedAt: iso(startedAt), signalledAt: iso(exit?.signalledAt), at: undefined, exitedAt: iso(exit?.at) });
}

export function createWorkerPool(env: Record<string, string>): WorkerPool {
  const instances: WorkerInstance[] = [];
  const counters = new Map<StageName, number>();
  const exited = (instance: WorkerInstance) =>
    instance.exit ? Promise.resolve() : new Promise<void>((resolve) => instance.app.child.once('exit', () => resolve()));

  const pool: WorkerPool = {
    start(stage) {
      const n = (counters.get(stage) ?? 0) + 1;
      counters.set(stage, n);
      const id = `${stage}#${n}`;
      const app = startApp(stage, {
        ...env,
        // any free port: several instances of a stage share this host
        OPS_PORT: '0',
        // "joined group" is an info line
        LOG_LEVEL: 'info',
        KAFKA_CLIENT_ID: `faults-${stage}-${n}`,
      });
      const instance: WorkerInstance = { id, stage, app, startedAt: Date.now() };
      live.add(instance);
      app.child.once('exit', (code, signal) => {
        live.delete(instance);
        instance.exit = { ...instance.exit, code, signal, at: Date.now(), byUs: instance.exit?.byUs ?? false };
      });
      instances.push(instance);
      return instance;
    },
    async joined(instance, timeoutMs = 120_000) {
      await instance.app.waitForLine(isJoined, timeoutMs);
    },
    async startJoined(stage, timeoutMs) {
      const instance = pool.start(stage);
      await pool.joined(instance, timeoutMs);
      return instance;
    },
    running: (stage) => instances.filter((i) => !i.exit && (!stage || i.stage === stage)),
    all: () => [...instances],
    async kill(targets) {
      for (const instance of targets) {
        if (instance.exit) continue;
        instance.exit = { code: null, signal: 'SIGKILL', at: Date.now(), byUs: true, signalledAt: Date.now() };
        const pid = instance.app.child.pid;
        if (pid !== undefined) killTree(pid);
      }
      await Promise.all(targets.map(exited));
    },
    async stop(instance, graceMs = 30_000) {
      if (instance.exit) return;
      instance.exit = { code: null, signal: 'SIGTERM', at: Date.now(), byUs: true, signalledAt: Date.now() };
      terminate(instance);
      const gone = await pollUntil(() => instance.app.child.exitCode !== null || instance.app.child.signalCode !== null, graceMs, 100);
      if (!gone && instance.app.child.pid !== undefined) {
        instance.exit.forced = true;
        killTree(instance.app.child.pid);
      }
      await exited(instance);
    },
    unexpectedExits: () => instances.filter((i) => i.exit && !i.exit.byUs),
    writeLogs(dir) {
      mkdirSync(dir, { recursive: true });
      for (const instance of instances) writeFileSync(join(dir, `${instance.id.replace('#', '-')}.log`), `${[...instance.app.lines, harnessLine(instance)].join('\n')}\n`);
    },
    async close() {
      await Promise.all(pool.running().map((instance) => pool.stop(instance, 15_000)));
    },
  };
  return pool;
}
