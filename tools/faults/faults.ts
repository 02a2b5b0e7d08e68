/**
 * npm run faults [-- --rows 300000 --only kill-loader --seed 7]   (--help)
 * The fault suite: SIGKILLs, rebalances and service restarts during flights
 * runs, each checked by key set against the source; prints a table and, for
 * a whole-suite run, rewrites docs/RELIABILITY.md. Exit 0 only if every
 * scenario passed.
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem, type } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { REPO_ROOT, resolveServices } from '@brokered-etl/testing';
import { runInterruptCleanups } from './cleanup';
import { defaultTimeoutMs, parseFaultsArgs, UsageError, USAGE } from './faults.options';
import { formatDetails, formatTable, keptPart, renderReliabilityDoc, type RunMeta } from './report';
import { randomSeed } from './rng';
import { runScenario } from './scenario-runner';
import type { ScenarioResult } from './scenario.types';
import { ALL_SCENARIOS, FULL_SUITE, QUICK_CASES } from './scenarios';
import { sliceOf } from './slice';

async function main(argv: string[]): Promise<number> {
  const options = parseFaultsArgs(argv);
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  if (options.list) {
    for (const s of ALL_SCENARIOS) console.log(`${s.name.padEnd(24)} ${s.does}${QUICK_CASES.includes(s) ? ' [quick]' : ''}`);
    return 0;
  }
  const slice = await sliceOf(options.source, options.rows);
  const seed = options.seed ?? randomSeed();
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs(slice.expected);
  const startedAt = new Date();
  const logDir = join(tmpdir(), `etl-faults-${startedAt.toISOString().replace(/[:.]/g, '-')}`);
  const extra = Object.entries(options.workerEnv).map(([k, v]) => `${k}=${v}`).join(' ');
  console.log(`seed ${seed}; ${slice.expected} rows of ${slice.source}; ${options.scenarios.length} scenario(s): ${options.scenarios.map((s) => s.name).join(', ')}; deadline ${timeoutMs / 1000} s each${extra ? `; workers with ${extra}` : ''}`);

  const services = await resolveServices(process.env, (line) => console.log(`[infra] ${line}`));
  const results: ScenarioResult[] = [];
  try {
    const env = { kafkaBrokers: services.endpoints.kafkaBrokers.split(','), schemaRegistryUrl: services.endpoints.schemaRegistryUrl, mongoUrl: services.endpoints.mongoUrl };
    for (const scenario of options.scenarios) {
      const result = await runScenario(scenario, { services: env, ...slice, seed, timeoutMs, workerEnv: options.workerEnv, logDir, keepDatabase: options.keep, log: (line) => console.log(line) });
      results.push(result);
      console.log(`[${scenario.name}] ${result.passed ? 'PASS' : 'FAIL'}: ${result.outcome}, ${result.loaded}/${result.expected} loaded, ${result.lost} lost, ${result.unexpected} unexpected, ${result.overCounted} over-counted`);
    }
  } finally {
    await services.release();
  }

  console.log(`\n${formatTable(results)}\n\n${formatDetails(results)}\n\nseed ${seed}; worker logs in ${logDir}`);
  if (options.doc) {
    const meta: RunMeta = {
      date: startedAt.toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      commit: commitOf(),
      machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${type()} ${release()}`,
      node: process.versions.node,
      seed,
      source: slice.source,
      params: slice.params,
      expected: slice.expected,
      workerEnv: options.workerEnv,
      command: `npm run faults -- ${argv.join(' ')}`.trim().replace(/ --$/, ''),
    };
    const path = resolve(REPO_ROOT, options.doc);
    mkdirSync(dirname(path), { recursive: true });
    const existing = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    writeFileSync(path, renderReliabilityDoc(FULL_SUITE, QUICK_CASES, results, meta, keptPart(existing)));
    console.log(`wrote ${path}`);
  } else if (!options.wholeSuite) {
    console.log('(a partial run: docs/RELIABILITY.md left as it is; --doc <path> writes one)');
  }
  return results.every((r) => r.passed) ? 0 : 1;
}

function commitOf(): string {
  try {
    const git = (args: string) => execSync(`git ${args}`, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('rev-parse --short HEAD');
    const dirty = git('status --porcelain --untracked-files=no') !== '';
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown';
  }
}

// Ctrl-C or a SIGTERM: stop the current scenario's workers and private servers (bounded), then exit;
// process 'exit' handlers SIGKILL whatever is still there
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`faults: ${signal}, cleaning up`);
    void runInterruptCleanups(30_000).finally(() => process.exit(130));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`faults: ${err instanceof Error ? err.message : String(err)}`);
    if (err instanceof UsageError) console.error(USAGE);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
