import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integrationEnv } from '@brokered-etl/testing';
// tools/faults (npm run faults) belongs to no Nx project, so there is no alias to import it by; these are its quick cases
// eslint-disable-next-line @nx/enforce-module-boundaries
import { formatDetails, QUICK_CASES, runScenario, sliceOf } from '../../../tools/faults';

/**
 * The fault suite's quick cases (tools/faults, `npm run faults -- --only quick`):
 * the stage apps as real processes, one SIGKILL of each mid-run, and a second
 * extractor joining then leaving mid-extraction; each run must complete with
 * the target equal, by key set, to the slice, and the counts equal to it.
 */
const ROWS = 20_000;
// a fault must land while its stage still has work: a quiet host extracts ~12,000 rows a second (a second instance took 6 s
// to join), and transformed 20,000 rows between two 0.3 s samples once, so the transformer's kill came after its work
const ROWS_OF: Record<string, number> = { 'kill-extractor-once': 100_000, 'kill-transformer-once': 80_000, 'rebalance-extractor': 150_000 };
// fixed, so CI hits the same fault points every time; FAULTS_SEED repeats another run's
const SEED = Number(process.env['FAULTS_SEED'] ?? 20261202);
const WORKER_ENV = {
  // a SIGKILLed member's partitions move only when its session expires: the default 30 s would make each case wait that long
  SESSION_TIMEOUT_MS: '10000',
  // several splits in a slice (twenty of 100,000 rows), so a second extractor has splits to take over mid-extraction
  EXTRACT_SPLIT_RECORDS: '5000',
};
const LOG_DIR = join(tmpdir(), `etl-faults-int-${Date.now()}`);

describe('faults: quick cases (real worker processes, checked by key set)', () => {
  const services = integrationEnv();

  it.each(QUICK_CASES.map((scenario) => [scenario.name, scenario] as const))(
    '%s: the run completes, nothing lost, nothing counted twice',
    async (_name, scenario) => {
      const rows = ROWS_OF[scenario.name] ?? ROWS;
      const slice = await sliceOf('flights-3m.parquet', rows);
      const result = await runScenario(scenario, { services, ...slice, seed: SEED, timeoutMs: 180_000, workerEnv: WORKER_ENV, logDir: LOG_DIR });
      process.stderr.write(`[faults] ${formatDetails([result])}\n  (seed ${SEED}; worker logs in ${join(LOG_DIR, scenario.name)})\n`);

      expect({ outcome: result.outcome, reason: result.reason }).toEqual({ outcome: 'completed', reason: undefined });
      expect({ loaded: result.loaded, lost: result.lost, unexpected: result.unexpected, overCounted: result.overCounted }).toEqual({
        loaded: rows,
        lost: 0,
        unexpected: 0,
        overCounted: 0,
      });
      expect(result.counts).toMatchObject({ extracted: rows, transformed: rows, rejected: 0, loaded: rows, totalRecords: rows });
      // the fault really happened before the run ended (and hit what it aimed at), and the pipeline moved again after it
      expect(result.events.length).toBeGreaterThan(0);
      expect(result.faultMissed).toBe(false);
      expect(result.recoveryMs.every((ms) => ms !== undefined)).toBe(true);
      expect(result.workerExits).toEqual([]);
    },
    240_000,
  );
});
