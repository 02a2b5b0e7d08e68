import type { RunControl } from '@brokered-etl/run-control';
import type { RunRecord } from '@brokered-etl/staging';
import { delay } from './process-tree';

/** The counter that says a stage moved: what it wrote to the run's ledger. */
export type ProgressCounter = 'extracted' | 'transformed' | 'loaded';

export interface RunSample {
  at: number;
  status: string;
  extracted: number;
  transformed: number;
  loaded: number;
}

export interface RunWatch {
  samples: RunSample[];
  latest(): RunSample | undefined;
  /** Reads the run now (undefined while the database does not answer). */
  read(): Promise<RunSample | undefined>;
  /** Resolves true once counter ≥ value, false if the run ended (or the time ran out) first. */
  reach(counter: ProgressCounter, value: number, timeoutMs: number): Promise<boolean>;
  /** The run's end (completed or failed), or undefined when timeoutMs passed first. */
  finished(timeoutMs: number): Promise<RunRecord | undefined>;
  /** Polls that failed (the database or broker was down): counted, never fatal. */
  errors(): number;
  stop(): void;
}

export const isTerminal = (status: string | undefined) => status === 'completed' || status === 'failed';

/** Follows one run through run control's describeRun (live ledger counts), every everyMs. */
export function watchRun(control: RunControl, runId: string, everyMs = 300): RunWatch {
  const samples: RunSample[] = [];
  let failures = 0;
  let stopped = false;
  let last: RunRecord | undefined;

  async function read(): Promise<RunSample | undefined> {
    try {
      const run = await control.describeRun(runId);
      if (!run) return undefined;
      last = run;
      const sample = { at: Date.now(), status: run.status, extracted: run.counts?.extracted ?? 0, transformed: run.counts?.transformed ?? 0, loaded: run.counts?.loaded ?? 0 };
      samples.push(sample);
      return sample;
    } catch {
      failures++;
      return undefined;
    }
  }

  void (async () => {
    while (!stopped) {
      await read();
      if (isTerminal(last?.status)) break;
      await delay(everyMs);
    }
  })();

  const latest = () => samples[samples.length - 1];
  const until = async (done: () => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!done() && Date.now() < deadline && !stopped) await delay(100);
    return done();
  };

  return {
    samples,
    latest,
    read,
    async reach(counter, value, timeoutMs) {
      await until(() => (latest()?.[counter] ?? 0) >= value || isTerminal(latest()?.status), timeoutMs);
      return (latest()?.[counter] ?? 0) >= value && !isTerminal(latest()?.status);
    },
    async finished(timeoutMs) {
      await until(() => isTerminal(last?.status), timeoutMs);
      return isTerminal(last?.status) ? last : undefined;
    },
    errors: () => failures,
    stop: () => void (stopped = true),
  };
}
