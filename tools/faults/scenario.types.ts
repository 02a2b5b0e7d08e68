import type { IntegrationEnv, PrivateKafka, PrivateKafkaCluster } from '@brokered-etl/testing';
import type { InstanceShare } from './instance-shares';
import type { KeySetReport } from './key-set.check';
import type { PrivateServer } from './private-services';
import type { Rng } from './rng';
import type { ProgressCounter, RunWatch } from './run-watch';
import type { WorkerPool } from './worker-pool';

/** One injected fault and when the pipeline moved again after it. */
export interface FaultEvent {
  label: string;
  /** The count whose next increase is "progress" after this fault (the faulted stage's output, or loaded). */
  counter: ProgressCounter;
  /** When the fault began (the kill, the stop of a service). */
  at: number;
  /** The counter once the fault's action was over (after a kill; once a restarted service is back). */
  baseline?: number;
  /** The loaded count at the same moment: what is watched when the faulted stage had already done its share. */
  baselineLoaded?: number;
  /** Set by the scenario when recovery is not a count (e.g. workers joined once the registry was up). */
  recoveredAt?: number;
  recoveredBy?: string;
}

/** What a scenario can do and see while its run goes. */
export interface FaultContext {
  rng: Rng;
  workers: WorkerPool;
  /** Records of the slice: the run must load exactly these. */
  expected: number;
  kafka?: PrivateKafka;
  /** The scenario's own multi-broker cluster (private.kafkaCluster), its brokers the workers' KAFKA_BROKERS. */
  kafkaCluster?: PrivateKafkaCluster;
  mongo?: PrivateServer;
  registry?: PrivateServer;
  /** Follows the run; undefined before the trigger (in prepare). */
  watch?: RunWatch;
  /** Waits until counter ≥ fraction of the slice; false when the run ended (or the scenario's time ran out) first. */
  atProgress(counter: ProgressCounter, fraction: number): Promise<boolean>;
  /**
   * Runs action as a fault (a kill; a stop, a wait and a start of a service) and
   * records it; its recovery is the first progress of counter after the action is over.
   */
  fault(label: string, counter: ProgressCounter, action: () => Promise<void>): Promise<FaultEvent>;
  record(event: FaultEvent): void;
  note(line: string): void;
  /** Each instance's share of its stage's work, for the report (scenarios that track it). */
  reportShares(shares: InstanceShare[]): void;
  /** The fault did not hit what it was meant to (e.g. a join completed after the extraction ended): the scenario cannot pass. */
  miss(reason: string): void;
  sleep(ms: number): Promise<void>;
}

export interface Scenario {
  name: string;
  /** What it does: --help, the table's legend and docs/RELIABILITY.md. */
  does: string;
  /** What must hold for it to pass, beyond the common checks. */
  expects: string;
  /** Injects nothing on purpose (the reference run): passes without a fault. */
  faultless?: boolean;
  /** Services of its own that it stops and starts (never the shared ones); "stopped": created but not started. */
  private?: { kafka?: boolean; kafkaCluster?: number; mongo?: boolean; registry?: 'running' | 'stopped' };
  /** Environment every worker of this scenario gets (before --worker-env), e.g. the topics' replication. */
  workerEnv?: Readonly<Record<string, string>>;
  /** Brings workers up before the trigger; default: one instance per stage, each joined. */
  prepare?(context: FaultContext): Promise<void>;
  /** Injects the faults while the run goes; returns when it has no more to inject. */
  inject(context: FaultContext): Promise<void>;
}

export type RunOutcome = 'completed' | 'failed' | 'timeout' | 'error';

export interface ScenarioResult {
  scenario: string;
  seed: number;
  source: string;
  expected: number;
  runId?: string;
  outcome: RunOutcome;
  /** Why the run failed (its failure) or the harness could not finish (an error). */
  reason?: string;
  /** Expected ids present in the target. */
  loaded: number;
  lost: number;
  unexpected: number;
  /** Largest excess of a run count (extracted, transformed, loaded, totalRecords) over the slice. */
  overCounted: number;
  counts?: { extracted: number; transformed: number; rejected: number; loaded: number; totalRecords?: number };
  keys?: KeySetReport;
  events: FaultEvent[];
  /** Per event, ms from the fault to the next progress; undefined: never moved again. */
  recoveryMs: Array<number | undefined>;
  workerExits: string[];
  /** Each instance's share of its stage's work, when the scenario tracked it. */
  shares?: InstanceShare[];
  /** No fault was made, or one missed its mark: the run tested less than the scenario says. */
  faultMissed: boolean;
  notes: string[];
  durationMs: number;
  /** Where the time went: workers up (and prepare), trigger to the run's end, groups drained and workers stopped, the key-set check. */
  phases: { workersMs: number; runMs: number; settleMs: number; checkMs: number };
  passed: boolean;
}

export interface ScenarioOptions {
  services: IntegrationEnv;
  /** Flights source (vega-datasets name or path) and the trigger params. */
  source: string;
  /** The source's identity as the workers plan it: the prefix of the ids the key-set check expects. */
  sourceId: string;
  params: Record<string, string>;
  expected: number;
  seed: number;
  timeoutMs: number;
  /** Extra environment for every worker (e.g. SESSION_TIMEOUT_MS, EXTRACT_SPLIT_RECORDS). */
  workerEnv?: Record<string, string>;
  /** Where each worker's log is written (one folder per scenario). */
  logDir?: string;
  keepDatabase?: boolean;
  log?(line: string): void;
}
