import { groupId, topicNames, type StageName } from '@brokered-etl/contracts';
import { createKafkaClient, createLagReader } from '@brokered-etl/messaging';
import { createSilentLogger } from '@brokered-etl/observability';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { connectRunControl, type ConnectedRunControl } from '@brokered-etl/run-control';
import { connectMongo, type RunRecord } from '@brokered-etl/staging';
import { appEnvFor, databaseFor, parseLogLine, startPrivateKafka, startPrivateKafkaCluster, uniqueName, workerEnvFor, type IntegrationEnv, type PrivateKafka, type PrivateKafkaCluster } from '@brokered-etl/testing';
import { join } from 'node:path';
import { onInterrupt } from './cleanup';
import { checkKeySet } from './key-set.check';
import { createPrivateMongo, createPrivateRegistry, type PrivateServer } from './private-services';
import { delay, pollUntil } from './process-tree';
import { createRng } from './rng';
import { isTerminal, watchRun, type ProgressCounter, type RunSample, type RunWatch } from './run-watch';
import type { FaultContext, FaultEvent, RunOutcome, Scenario, ScenarioOptions, ScenarioResult } from './scenario.types';
import { createWorkerPool, STAGES, type WorkerPool } from './worker-pool';

const TARGET_COLLECTION = 'flights';
/** After the run ends, how long its groups get to drain what is still queued (late redeliveries) before the check. */
const SETTLE_MS = 60_000;

interface PrivateServices {
  kafka?: PrivateKafka;
  kafkaCluster?: PrivateKafkaCluster;
  mongo?: PrivateServer;
  registry?: PrivateServer;
}

/**
 * One scenario end to end, in a namespace and database of its own: workers
 * up, one flights run triggered, the scenario's faults injected while it
 * goes, then the run's end awaited (bounded), its groups drained, and the
 * target checked by key set against the slice. Always cleans up after itself.
 */
export async function runScenario(scenario: Scenario, options: ScenarioOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const remaining = () => Math.max(0, deadline - Date.now());
  const log = (line: string) => options.log?.(`[${scenario.name}] ${line}`);
  const rng = createRng(options.seed).fork(scenario.name);
  const namespace = uniqueName(`faults-${scenario.name}`);
  const database = databaseFor(namespace);
  const events: FaultEvent[] = [];
  const notes: string[] = [];
  const missed: string[] = [];
  const result: ScenarioResult = {
    scenario: scenario.name,
    seed: options.seed,
    source: options.source,
    expected: options.expected,
    outcome: 'error',
    loaded: 0,
    lost: options.expected,
    unexpected: 0,
    overCounted: 0,
    events,
    recoveryMs: [],
    workerExits: [],
    faultMissed: false,
    notes,
    durationMs: 0,
    phases: { workersMs: 0, runMs: 0, settleMs: 0, checkMs: 0 },
    passed: false,
  };

  const privates: PrivateServices = {};
  let workers: WorkerPool | undefined;
  let connected: ConnectedRunControl | undefined;
  let watch: RunWatch | undefined;
  let services: IntegrationEnv = options.services;
  const dropCleanup = onInterrupt(async () => {
    await workers?.close();
    await Promise.all([privates.kafka?.destroy(), privates.kafkaCluster?.destroy(), privates.mongo?.destroy(), privates.registry?.destroy()]);
  });
  try {
    log(`namespace ${namespace}, seed ${options.seed}`);
    services = await startPrivateServices(scenario, options.services, privates, log);
    workers = createWorkerPool({ ...appEnvFor(services, namespace, database), ...scenario.workerEnv, ...options.workerEnv });
    const context = createContext({ rng, workers, privates, expected: options.expected, events, notes, missed, remaining, log, getWatch: () => watch, setShares: (shares) => (result.shares = shares) });

    if (scenario.prepare) await withDeadline(scenario.prepare(context), remaining(), 'prepare');
    else await Promise.all(STAGES.map((stage) => workers!.startJoined(stage, Math.min(remaining(), 120_000))));
    log('workers joined');
    result.phases.workersMs = Date.now() - started;

    connected = await connectRunControl(workerEnvFor(services, namespace, database), createSilentLogger(), PIPELINES.map((p) => p.name));
    const { runId } = await connected.control.trigger({ pipeline: 'flights', params: options.params, requestedBy: `faults:${scenario.name}` });
    result.runId = runId;
    log(`run ${runId} triggered (${JSON.stringify(options.params)})`);
    watch = watchRun(connected.control, runId);

    let injectError: unknown;
    const injecting = scenario.inject(context).catch((err: unknown) => void (injectError = err));
    const run = await watch.finished(remaining());
    result.phases.runMs = Date.now() - started - result.phases.workersMs;
    await withDeadline(injecting, Math.max(remaining(), 10_000), 'inject').catch((err: unknown) => void (injectError ??= err));
    if (injectError) notes.push(`fault injection failed: ${messageOf(injectError)}`);
    result.outcome = run ? (run.status as RunOutcome) : 'timeout';
    if (run?.status === 'failed') result.reason = `${run.failure?.code}: ${run.failure?.message}`;
    if (!run) result.reason = `no end within ${Math.round(options.timeoutMs / 1000)} s (last: ${describeSample(watch.latest())})`;
    log(`run ${result.outcome} after ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // late redeliveries (a restarted worker redoing work) must not change the result: let the groups drain, then check
    const settling = Date.now();
    if (run) {
      const bound = Math.min(SETTLE_MS, Math.max(remaining(), 30_000));
      if (!(await settle(services, namespace, bound))) notes.push(`stage groups still had lag ${bound / 1000} s after the run ended`);
    }
    // the key-set read is the slowest part on FerretDB: give it the CPU the workers had
    result.workerExits = exitsOf(workers);
    await workers.close();
    notes.push(...forcedStops(workers));
    result.phases.settleMs = Date.now() - settling;
    const checking = Date.now();
    await check(connected, result, options, services, database, watch);
    result.phases.checkMs = Date.now() - checking;
    result.recoveryMs = events.map((event) => recoveryOf(event, watch!.samples, options.expected));
  } catch (err) {
    result.outcome = 'error';
    result.reason = messageOf(err);
    log(`error: ${result.reason}`);
    if (connected && result.runId) await check(connected, result, options, services, database, watch).catch(() => undefined);
  } finally {
    watch?.stop();
    if (workers) {
      if (result.outcome === 'error') result.workerExits = exitsOf(workers);
      await workers.close().catch((err: unknown) => notes.push(`stopping workers: ${messageOf(err)}`));
      if (options.logDir) workers.writeLogs(join(options.logDir, scenario.name));
    }
    if (!options.keepDatabase) await dropDatabase(services.mongoUrl, database);
    await connected?.close().catch(() => undefined);
    await Promise.all([privates.kafka?.destroy(), privates.kafkaCluster?.destroy(), privates.mongo?.destroy(), privates.registry?.destroy()].map((p) => p?.catch(() => undefined)));
    dropCleanup();
    result.durationMs = Date.now() - started;
  }
  // a scenario whose run ended before any fault hit it tested nothing: the slice is too small for it
  const faultMissing = (!events.length && !scenario.faultless) || missed.length > 0;
  result.faultMissed = faultMissing;
  if (!events.length && !scenario.faultless && result.outcome !== 'error') notes.push('no fault was injected before the run ended: use a larger slice');
  result.passed =
    result.outcome === 'completed' &&
    result.lost === 0 &&
    result.unexpected === 0 &&
    result.overCounted === 0 &&
    result.workerExits.length === 0 &&
    !faultMissing &&
    result.recoveryMs.every((ms) => ms !== undefined);
  return result;
}

async function startPrivateServices(scenario: Scenario, shared: IntegrationEnv, privates: PrivateServices, log: (line: string) => void): Promise<IntegrationEnv> {
  const wanted = scenario.private ?? {};
  if (wanted.kafka) privates.kafka = await startPrivateKafka();
  if (wanted.kafkaCluster) privates.kafkaCluster = await startPrivateKafkaCluster(wanted.kafkaCluster);
  if (wanted.mongo) {
    privates.mongo = await createPrivateMongo();
    await privates.mongo.start();
  }
  if (wanted.registry) {
    privates.registry = await createPrivateRegistry();
    if (wanted.registry === 'running') await privates.registry.start();
  }
  const services = {
    kafkaBrokers: privates.kafka?.brokers ?? privates.kafkaCluster?.brokers ?? shared.kafkaBrokers,
    schemaRegistryUrl: privates.registry?.endpoint ?? shared.schemaRegistryUrl,
    mongoUrl: privates.mongo?.endpoint ?? shared.mongoUrl,
  };
  if (wanted.kafka || wanted.kafkaCluster || wanted.mongo || wanted.registry) log(`private services: ${JSON.stringify(services)}`);
  return services;
}

function createContext(deps: {
  rng: FaultContext['rng'];
  workers: WorkerPool;
  privates: PrivateServices;
  expected: number;
  events: FaultEvent[];
  notes: string[];
  missed: string[];
  remaining(): number;
  log(line: string): void;
  getWatch(): RunWatch | undefined;
  setShares(shares: ScenarioResult['shares']): void;
}): FaultContext {
  const context: FaultContext = {
    rng: deps.rng,
    workers: deps.workers,
    expected: deps.expected,
    ...deps.privates,
    get watch() {
      return deps.getWatch();
    },
    async atProgress(counter, fraction) {
      const watch = deps.getWatch();
      if (!watch) throw new Error('atProgress before the run was triggered');
      return watch.reach(counter, Math.max(1, Math.floor(fraction * deps.expected)), deps.remaining());
    },
    async fault(label, counter, action) {
      const watch = deps.getWatch();
      const event: FaultEvent = { label, counter, at: Date.now() };
      deps.log(`fault: ${label}`);
      await action();
      // read once the fault is over (the worker dead, the service back): what the dead worker wrote, or what
      // in-flight work finished during an outage, is not progress after it
      const over = (await watch?.read()) ?? watch?.latest();
      Object.assign(event, { baseline: over?.[counter], baselineLoaded: over?.loaded });
      deps.events.push(event);
      return event;
    },
    record(event) {
      deps.log(`fault: ${event.label}`);
      deps.events.push(event);
    },
    note(line) {
      deps.log(line);
      deps.notes.push(line);
    },
    reportShares(shares) {
      deps.setShares(shares);
    },
    miss(reason) {
      deps.log(`fault missed: ${reason}`);
      deps.notes.push(`fault missed: ${reason}`);
      deps.missed.push(reason);
    },
    sleep: (ms) => delay(Math.min(ms, deps.remaining())),
  };
  return context;
}

/** The run's final counts and the target's key set, into the result. */
async function check(connected: ConnectedRunControl, result: ScenarioResult, options: ScenarioOptions, services: IntegrationEnv, database: string, watch: RunWatch | undefined): Promise<void> {
  const run: RunRecord | undefined = await connected.control.describeRun(result.runId!);
  if (run) {
    const counts = { extracted: run.counts?.extracted ?? 0, transformed: run.counts?.transformed ?? 0, rejected: run.counts?.rejected ?? 0, loaded: run.counts?.loaded ?? 0, totalRecords: run.totalRecords };
    result.counts = counts;
    const excess = (['extracted', 'transformed', 'loaded', 'totalRecords'] as const).map((k) => [k, (counts[k] ?? 0) - options.expected] as const).filter(([, over]) => over > 0);
    result.overCounted = Math.max(0, ...excess.map(([, over]) => over));
    for (const [k, over] of excess) result.notes.push(`${k} is ${over} above the slice (${counts[k]})`);
    if (counts.rejected > 0) result.notes.push(`${counts.rejected} records rejected (the flights data has none that should be)`);
    if (run.status !== 'completed' && !isTerminal(run.status)) result.notes.push(`run still ${run.status} (${describeSample(watch?.latest())})`);
    const letters = await connected.control.listDeadLetters({ runId: result.runId, limit: 50 }).catch(() => []);
    if (letters.length) result.notes.push(`${letters.length} dead letter(s): ${[...new Set(letters.map((l) => `${l.stage} ${l.errorCode}`))].join(', ')}`);
  }
  const mongo = await connectMongo({ url: services.mongoUrl, database, appName: 'faults-check' });
  try {
    const keys = await checkKeySet(mongo.db, { collection: TARGET_COLLECTION, sourceId: options.sourceId, expected: options.expected });
    Object.assign(result, { keys, loaded: keys.present, lost: keys.lost, unexpected: keys.unexpected });
    if (keys.lost) result.notes.push(`lost positions: ${keys.lostRanges}`);
    if (keys.unexpected) result.notes.push(`unexpected ids, e.g. ${keys.unexpectedSample.join(', ')}`);
  } finally {
    await mongo.close();
  }
}

/**
 * Time to recover: from the fault's start to the first later sample in which
 * the faulted stage's count passed its value once the fault was over. A stage
 * that had already done its whole share cannot move again: then the loader's
 * count is watched instead, and when that too is complete, the run's end.
 */
export function recoveryOf(event: FaultEvent, samples: RunSample[], expected: number): number | undefined {
  if (event.recoveredAt !== undefined) return event.recoveredAt - event.at;
  const lastBefore = [...samples].reverse().find((s) => s.at <= event.at);
  let counter: ProgressCounter = event.counter;
  let baseline = event.baseline ?? lastBefore?.[counter] ?? 0;
  if (baseline >= expected) {
    counter = 'loaded';
    baseline = event.baselineLoaded ?? lastBefore?.loaded ?? 0;
  }
  const next = samples.find((s) => s.at > event.at && (s[counter] > baseline || isTerminal(s.status)));
  return next ? next.at - event.at : undefined;
}

/** Waits until each stage group has committed up to the end of its input topics. */
async function settle(services: IntegrationEnv, namespace: string, timeoutMs: number): Promise<boolean> {
  const kafka = createKafkaClient({ brokers: services.kafkaBrokers, clientId: 'faults-settle', logger: createSilentLogger() });
  const topics = topicNames(namespace);
  const splits = (topics as Partial<Record<'splits', string>>).splits;
  const inputs: Record<StageName, string[]> = {
    extractor: [topics.trigger, ...(splits ? [splits] : [])],
    transformer: PIPELINES.map((p) => topics.data(p.name, 'extracted')),
    loader: PIPELINES.map((p) => topics.data(p.name, 'transformed')),
  };
  const readers = STAGES.map((stage) => createLagReader(kafka, { groupId: groupId(stage, namespace), topics: inputs[stage], timeoutMs: 5000 }));
  try {
    return await pollUntil(async () => (await Promise.all(readers.map((r) => r.read()))).every((lags) => lags.every((p) => p.lag === 0)), timeoutMs, 1000);
  } finally {
    await Promise.all(readers.map((r) => r.close()));
  }
}

async function dropDatabase(url: string, database: string): Promise<void> {
  try {
    const mongo = await connectMongo({ url, database, appName: 'faults-cleanup' });
    await mongo.db.dropDatabase().catch(() => undefined);
    await mongo.close();
  } catch {
    // a database left behind is uniquely named and harmless
  }
}

function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Workers that died without being asked: a crash the scenario did not cause. */
function exitsOf(workers: WorkerPool): string[] {
  return workers.unexpectedExits().map(({ id, exit, startedAt, app }) => {
    // a clean exit after "signal received": something outside the harness stopped it
    const signalled = app.lines.map(parseLogLine).find((l) => l?.['message'] === 'signal received, shutting down')?.['signal'];
    const how = `code ${exit?.code}${exit?.signal ? `, ${exit.signal}` : ''}${signalled ? `, after a ${String(signalled)} the harness did not send` : ''}`;
    return `${id} exited on its own (${how}) ${(((exit?.at ?? startedAt) - startedAt) / 1000).toFixed(1)} s after it started`;
  });
}

/** Instances asked to leave (SIGTERM) that were still there after the grace and had to be SIGKILLed. */
function forcedStops(workers: WorkerPool): string[] {
  return workers
    .all()
    .filter((w) => w.exit?.forced)
    .map((w) => `${w.id} did not exit within the grace after SIGTERM; SIGKILLed`);
}

const describeSample = (s: RunSample | undefined) => (s ? `${s.status}, extracted ${s.extracted}, transformed ${s.transformed}, loaded ${s.loaded}` : 'never seen');
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
