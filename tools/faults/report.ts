import { formatShares } from './instance-shares';
import type { Scenario, ScenarioResult } from './scenario.types';

export interface RunMeta {
  date: string;
  commit: string;
  machine: string;
  node: string;
  seed: number;
  source: string;
  params: Record<string, string>;
  expected: number;
  workerEnv: Record<string, string>;
  command: string;
}

const HEADERS = ['scenario', 'expected', 'loaded', 'lost', 'unexpected', 'over-counted', 'run', 'recover', 'verdict'];

const seconds = (ms: number | undefined) => (ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`);

/** Time to recover of a scenario: its slowest fault, and how many faults it had. */
export function recoverySummary(result: ScenarioResult): string {
  if (!result.recoveryMs.length) return '–';
  const never = result.recoveryMs.some((ms) => ms === undefined);
  const worst = Math.max(...result.recoveryMs.map((ms) => ms ?? 0));
  const label = never ? 'never' : seconds(worst);
  return result.recoveryMs.length > 1 ? `${label} (max of ${result.recoveryMs.length})` : label;
}

/** PASS; NO FAULT when every check held but the faults did not hit (the slice was too small); else FAIL. */
export function verdictOf(r: ScenarioResult): string {
  if (r.passed) return 'PASS';
  const checksHeld = r.outcome === 'completed' && !r.lost && !r.unexpected && !r.overCounted && !r.workerExits.length;
  return checksHeld && r.faultMissed ? 'NO FAULT' : 'FAIL';
}

export function rowsOf(results: ScenarioResult[]): string[][] {
  return results.map((r) => [
    r.scenario,
    String(r.expected),
    String(r.loaded),
    String(r.lost),
    String(r.unexpected),
    String(r.overCounted),
    r.outcome,
    recoverySummary(r),
    verdictOf(r),
  ]);
}

/** The table for a terminal: aligned columns, numbers to the right. */
export function formatTable(results: ScenarioResult[]): string {
  const rows = [HEADERS, ...rowsOf(results)];
  const widths = HEADERS.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const numeric = new Set([1, 2, 3, 4, 5]);
  const line = (row: string[]) => row.map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ');
  return [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** Per scenario: its faults with their recovery, worker exits, notes, counts. */
export function formatDetails(results: ScenarioResult[]): string {
  return results
    .map((r) => {
      const { workersMs, runMs, settleMs, checkMs } = r.phases;
      const lines = [
        `${r.scenario}: ${r.outcome}${r.reason ? ` (${r.reason})` : ''} in ${seconds(r.durationMs)}${r.runId ? `, run ${r.runId}` : ''}`,
        `  time: workers up ${seconds(workersMs)}, run ${seconds(runMs)}, drain and stop ${seconds(settleMs)}, key-set check ${seconds(checkMs)}`,
      ];
      if (r.counts) lines.push(`  counts: extracted ${r.counts.extracted}, transformed ${r.counts.transformed}, rejected ${r.counts.rejected}, loaded ${r.counts.loaded}, totalRecords ${r.counts.totalRecords ?? '–'}`);
      if (r.keys) lines.push(`  key set: ${r.keys.present}/${r.keys.expected} present, ${r.keys.lost} lost, ${r.keys.unexpected} unexpected`);
      r.events.forEach((e, i) => lines.push(`  fault: ${e.label} → ${e.recoveredBy ?? 'progress'} after ${seconds(r.recoveryMs[i])}`));
      if (r.shares) formatShares(r.shares).forEach((s) => lines.push(`  share: ${s}`));
      r.workerExits.forEach((e) => lines.push(`  exit: ${e}`));
      r.notes.forEach((n) => lines.push(`  note: ${n}`));
      return lines.join('\n');
    })
    .join('\n');
}

const md = (text: string) => text.replace(/\|/g, '\\|');

/** Everything below this line of docs/RELIABILITY.md is written by hand and kept when the suite rewrites the file. */
export const KEPT_MARKER = '<!-- written by hand below this line: npm run faults keeps it when it rewrites the rest -->';

/** The hand-written part of an existing doc (from the marker on), or a fresh one. */
export function keptPart(existing: string | undefined): string {
  const at = existing?.indexOf(KEPT_MARKER) ?? -1;
  return existing !== undefined && at >= 0 ? existing.slice(at) : `${KEPT_MARKER}\n\n## Findings\n\n_None written yet._\n`;
}

/** docs/RELIABILITY.md: how to run the suite, what each scenario does, what is checked, the latest figures. */
export function renderReliabilityDoc(scenarios: Scenario[], quick: Scenario[], results: ScenarioResult[] | undefined, meta: RunMeta | undefined, kept = keptPart(undefined)): string {
  const scenarioRows = scenarios.map((s) => `| \`${s.name}\` | ${md(s.does)} | ${md(s.expects)} |`).join('\n');
  const quickRows = quick.map((s) => `| \`${s.name}\` | ${md(s.does)} |`).join('\n');
  const figures =
    results && meta
      ? [
          `Measured ${meta.date} on ${meta.machine}, Node ${meta.node}, commit \`${meta.commit}\`.`,
          `Command: \`${meta.command}\` (seed **${meta.seed}**; slice: \`${meta.source}\`, params \`${JSON.stringify(meta.params)}\`, ${meta.expected} rows expected; ` +
            `workers ${Object.keys(meta.workerEnv).length ? `with \`${Object.entries(meta.workerEnv).map(([k, v]) => `${k}=${v}`).join(' ')}\`` : 'on their defaults'}).`,
          '',
          `| ${HEADERS.join(' | ')} |`,
          `|${HEADERS.map((_, i) => (i >= 1 && i <= 5 ? '---:' : '---')).join('|')}|`,
          ...rowsOf(results).map((row) => `| ${row.map(md).join(' | ')} |`),
          '',
          'Details (faults in order, with the time to the next progress after each; worker exits; notes):',
          '',
          '```',
          formatDetails(results),
          '```',
        ].join('\n')
      : '_No figures yet: run `npm run faults` (the whole suite) to fill this section._';

  return `# Reliability: the fault suite

\`npm run faults\` runs the stage workers as real processes (\`apps/<stage>/src/main.ts\`,
as \`nx serve\` would) against real Kafka, Apicurio and FerretDB, triggers one flights
run per scenario, injects the scenario's faults while the run goes, and checks the
target **by key set** against the source. It prints a table and (for a whole-suite
run) rewrites this file. It is not part of \`npm test\`; its quick cases are, as
integration tests (\`apps/e2e/src/faults.int.spec.ts\`, see below).

## How to run it

\`\`\`bash
npm run -s infra:status || npm run -s infra:up    # the shared local services (or KAFKA_BROKERS + SCHEMA_REGISTRY_URL + MONGO_URL)
npm run faults                                    # the whole suite: 300,000 rows of flights-3m.parquet per scenario
npm run faults -- --rows 300000 --only kill-loader --seed 7
npm run faults -- --only quick --rows 20000        # CI's quick cases (CI also sets two worker variables, below)
npm run faults -- --source flights-20k.json --rows all --only kill-extractor,restart-database
npm run faults -- --help                          # every option; --list names the scenarios
\`\`\`

- **Slice**: the first \`--rows\` records of \`--source\`, through the flights param
  \`limit\` (the extractor plans only them); \`--rows all\` takes the whole file and sends no \`limit\`.
- **Seed**: every random choice (fault points, delays, instance counts, which
  instances leave) comes from one seeded generator, forked per scenario; the
  seed is printed and written below, so a run can be repeated exactly
  (timing on a shared host still varies).
- **Bounded**: each scenario has a deadline (\`--timeout\`, default \`max(300 s, rows / 200 s)\`),
  after which it is reported as \`timeout\`; everything listens on 127.0.0.1; the
  suite stops its workers and private servers and drops each scenario's
  database when it ends (also after an error or Ctrl-C).
- **Isolation**: every scenario has its own \`ETL_NAMESPACE\` (topics, consumer
  groups) and \`MONGO_DB\`. Faults of a service are made on a **private** instance
  started for that scenario on free ports and a temp data dir (Kafka through
  \`startPrivateKafka\` from libs/testing; FerretDB and Apicurio from local-infra's
  cached binaries by \`tools/faults/private-services.ts\`): the shared services
  other tests and engineers use are never stopped.
- Each worker's log is kept under \`$TMPDIR/etl-faults-<time>/<scenario>/\` (printed at the end).
- The rewrite keeps what is below the hand-written marker at the end of this file (findings, analysis).

## What is checked, per scenario

| column | meaning |
|---|---|
| expected | rows in the slice: the run must load ids \`<source>:0 … <source>:N-1\` (the flights key is \`<source identity>:<position>\`, the identity being the file's path inside its source root; the data has no record the transform rejects) |
| loaded | expected ids present in the target collection \`flights\` after the run |
| lost | expected ids **missing** from the target |
| unexpected | documents whose id is not an expected one (another source, a position past the slice, a malformed id) |
| over-counted | the largest excess of a run count (\`extracted\`, \`transformed\`, \`loaded\`, \`totalRecords\` from run control's \`describeRun\`) over the slice |
| run | \`completed\`, \`failed\` (with the run's failure), \`timeout\` (no end within the deadline) or \`error\` (the harness could not finish) |
| recover | **time to recover**: from the moment a fault began (the kill; the stop of a service) to the first progress after it: the first run sample (polled every 0.3 s) in which the faulted stage's count (\`extracted\` for the extractor, \`transformed\`, \`loaded\`; \`loaded\` for faults of all stages or of a service) is above its value once the fault was over (read right after the kill; right after the restarted service answered, so work that finished during an outage does not count), or the run's end if that comes first. A service fault's time therefore includes its downtime. A stage that had already done its whole share is measured by \`loaded\` instead. For \`registry-down-at-start\`: from the registry answering to all three workers joined. With several faults the slowest is shown. \`never\`: no progress after it. |
| verdict | PASS when the run completed, 0 lost, 0 unexpected, 0 over-counted, every fault was followed by progress, and no worker exited on its own; NO FAULT when the checks held but the run ended before a fault point, or a fault missed its mark (every kill came after its stage had done its share; the second extractor joined after the extraction ended): the slice is too small for the scenario; counts as a failure; else FAIL |

Before the check the harness waits (up to 60 s) until every stage group has
committed to the end of its input topics, so late redeliveries (a restarted
worker redoing work after the run completed) are part of what is checked; then
it stops the workers and reads every \`_id\` of the target (FerretDB reads
~150 µs a document here: about 45 s for 300,000).

Reading the times: after a SIGKILL the dead member keeps its partitions until
the broker expires its session (\`SESSION_TIMEOUT_MS\`, 30 s by default), so the
time to recover from a crash cannot be shorter than that, plus the new
instance's start. A member that leaves with SIGTERM hands its partitions over
at once, unless its shutdown outlasts the app's bound and it exits without
leaving (the harness notes instances it had to SIGKILL).

## Scenarios (\`npm run faults\`)

| scenario | what it does | expected |
|---|---|---|
${scenarioRows}

A SIGKILL goes to the worker's whole process tree: \`startApp\` runs a stage through
the tsx CLI, which runs the app in a child process and relays only the signals
it can catch, so killing the tsx parent alone would leave the worker running.
A SIGTERM (an instance leaving) goes to the worker process itself: tsx, given a
SIGTERM, passes it on but SIGKILLs its child if the child has not acknowledged
it within 30 ms (a worker busy on a chunk on a loaded host), turning a graceful
leave into a crash.

Bad input (unknown pipeline, bad params, missing file, undecodable bytes) is
covered by the pipeline's own integration tests, not here.

## Quick cases in CI (\`apps/e2e/src/faults.int.spec.ts\`, part of \`npm run test:int\`)

| case | what it does |
|---|---|
${quickRows}

Each must end with the run completed, 0 lost, 0 unexpected and 0 over-counted by key set,
the counts equal to the slice, the fault made while its stage still had work (a second
extractor joined before the extraction ended) and progress after it, and no worker exiting
on its own. CI runs them on 20,000 rows of flights-3m.parquet (100,000 and 150,000 for
the two extractor cases: a quiet host extracts ~12,000 rows a second, and a joining
instance took 6 s) with seed 20261202 (\`FAULTS_SEED\` repeats another),
\`SESSION_TIMEOUT_MS=10000\` (a crash costs a session timeout) and
\`EXTRACT_SPLIT_RECORDS=5000\` (several splits, so a second extractor has splits to
take over): half a minute to a minute a case.
The same from the command line: \`npm run faults -- --only quick --rows 150000 --seed 20261202
--worker-env SESSION_TIMEOUT_MS=10000 --worker-env EXTRACT_SPLIT_RECORDS=5000\`.

## Latest figures

${figures}

${kept}`;
}
