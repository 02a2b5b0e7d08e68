import { parseArgs } from 'node:util';
import { ALL_SCENARIOS, FULL_SUITE, QUICK_CASES } from './scenarios';
import type { Scenario } from './scenario.types';

export interface FaultsOptions {
  /** Rows of the slice; undefined: the whole source, no `limit` param. */
  rows: number | undefined;
  source: string;
  scenarios: Scenario[];
  /** Every scenario of the suite, in order: only then is docs/RELIABILITY.md rewritten by default. */
  wholeSuite: boolean;
  seed: number | undefined;
  timeoutMs: number | undefined;
  /** Extra environment for every worker (--worker-env KEY=VALUE). */
  workerEnv: Record<string, string>;
  /** Where to write the reliability doc; undefined: do not write it. */
  doc: string | undefined;
  keep: boolean;
  list: boolean;
  help: boolean;
}

export const DEFAULTS = { rows: 300_000, source: 'flights-3m.parquet', doc: 'docs/RELIABILITY.md' } as const;

/** Per scenario: room for a slow shared host and a few redone splits, never unbounded. */
export const defaultTimeoutMs = (rows: number) => Math.max(300_000, Math.ceil(rows / 200) * 1000);

export const USAGE = `usage: npm run faults -- [options]

Runs fault scenarios against the stage workers (real processes, real services
on 127.0.0.1), each on its own namespace and database; checks the target by key
set; prints a table; a whole-suite run rewrites ${DEFAULTS.doc}.

  --rows <n|all>       rows of the slice (flights param "limit"); "all": the whole source   [${DEFAULTS.rows}]
  --source <file>      flights source: a vega-datasets name or a path                       [${DEFAULTS.source}]
  --only <names>       comma-separated scenarios (repeatable); "quick": CI's quick cases; "full": the suite
  --seed <n>           seed of every random choice (printed; default: a random one)
  --timeout <seconds>  deadline per scenario                                   [max(300, rows / 200)]
  --worker-env K=V     extra environment for every worker (repeatable), e.g. SESSION_TIMEOUT_MS=10000
  --doc <path>         write the reliability doc there (default for a whole-suite run: ${DEFAULTS.doc})
  --no-doc             do not write it
  --keep               keep each scenario's database (default: dropped)
  --list               list the scenarios and exit
  --help               this text

Services: KAFKA_BROKERS + SCHEMA_REGISTRY_URL + MONGO_URL if set, else the
project's local infrastructure (started if needed, as for the integration tests).
`;

export class UsageError extends Error {}

const ARGS = {
  rows: { type: 'string' },
  source: { type: 'string' },
  only: { type: 'string', multiple: true },
  seed: { type: 'string' },
  timeout: { type: 'string' },
  'worker-env': { type: 'string', multiple: true },
  doc: { type: 'string' },
  'no-doc': { type: 'boolean' },
  keep: { type: 'boolean' },
  list: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseFaultsArgs(argv: string[]): FaultsOptions {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: ARGS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const rows = values.rows === 'all' ? undefined : positiveInt('--rows', values.rows ?? String(DEFAULTS.rows));
  const names = (values.only ?? []).flatMap((v) => v.split(',')).map((n) => n.trim()).filter(Boolean);
  const scenarios = names.length ? names.flatMap(scenariosNamed) : FULL_SUITE;
  const wholeSuite = scenarios.length === FULL_SUITE.length && FULL_SUITE.every((s, i) => scenarios[i] === s);
  return {
    rows,
    source: values.source ?? DEFAULTS.source,
    scenarios: [...new Set(scenarios)],
    wholeSuite,
    seed: values.seed === undefined ? undefined : nonNegativeInt('--seed', values.seed),
    timeoutMs: values.timeout === undefined ? undefined : positiveInt('--timeout', values.timeout) * 1000,
    workerEnv: Object.fromEntries((values['worker-env'] ?? []).map(keyValue)),
    doc: values['no-doc'] ? undefined : (values.doc ?? (wholeSuite ? DEFAULTS.doc : undefined)),
    keep: values.keep ?? false,
    list: values.list ?? false,
    help: values.help ?? false,
  };
}

function scenariosNamed(name: string): Scenario[] {
  if (name === 'quick') return QUICK_CASES;
  if (name === 'full') return FULL_SUITE;
  const found = ALL_SCENARIOS.find((s) => s.name === name);
  if (!found) throw new UsageError(`no scenario "${name}"; known: ${ALL_SCENARIOS.map((s) => s.name).join(', ')}, quick, full`);
  return [found];
}

function keyValue(raw: string): [string, string] {
  const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(raw);
  if (!match) throw new UsageError(`--worker-env takes KEY=VALUE, got "${raw}"`);
  return [match[1]!, match[2]!];
}

function positiveInt(flag: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${flag} must be a positive integer, got "${raw}"`);
  return value;
}

function nonNegativeInt(flag: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** 32) throw new UsageError(`${flag} must be an integer in [0, 2^32), got "${raw}"`);
  return value;
}
