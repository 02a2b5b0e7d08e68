import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { withTimeout } from './with-timeout';

export type { Registry } from 'prom-client';

/** One partition's backlog for a group: log-end offset minus committed offset. */
export interface PartitionLagSample {
  topic: string;
  partition: number;
  lag: number;
}

export interface StageMetricsOptions {
  registry: Registry;
  stage: string;
  /** Read at scrape time; a read slower than lagTimeoutMs keeps the last known figures. */
  readLag?: () => Promise<PartitionLagSample[]>;
  lagTimeoutMs?: number;
  now?: () => number;
}

export type MessageOutcome = 'processed' | 'dead-lettered' | 'abandoned' | 'fatal';

/** What a stage worker records; method shapes match the StageMetrics port of libs/stages. */
export interface PromStageMetrics {
  recordsIn(pipeline: string, n: number): void;
  recordsOut(pipeline: string, n: number): void;
  rejected(pipeline: string, n: number): void;
  deadLettered(pipeline: string | null, code: string): void;
  messageHandled(topic: string, outcome: MessageOutcome, seconds: number): void;
}

/** Seconds per consumed message: a chunk takes milliseconds to transform, seconds to load on a slow database, minutes to extract a big file. */
export const MESSAGE_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** A registry of its own per worker (tests run three workers in one process), with the process metrics. */
export function createMetricsRegistry(options: { defaultMetrics?: boolean; labels?: Record<string, string> } = {}): Registry {
  const registry = new Registry();
  if (options.labels) registry.setDefaultLabels(options.labels);
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * The etl_* metrics of one stage worker. Consumer lag is read when scraped,
 * never on a timer: a broker that is down makes the read time out, and the
 * scrape answers with the last known lag and its growing age instead of hanging.
 */
export function createStageMetrics(options: StageMetricsOptions): PromStageMetrics {
  const { registry, stage } = options;
  const now = options.now ?? Date.now;
  const registers = [registry];
  const recordsIn = new Counter({ name: 'etl_records_in_total', help: 'Records a stage received (extractor: read from the source)', labelNames: ['stage', 'pipeline'], registers });
  const recordsOut = new Counter({ name: 'etl_records_out_total', help: 'Records a stage passed on (loader: written to the target)', labelNames: ['stage', 'pipeline'], registers });
  const rejected = new Counter({ name: 'etl_records_rejected_total', help: 'Records a stage rejected (failed validation)', labelNames: ['stage', 'pipeline'], registers });
  const deadLetters = new Counter({ name: 'etl_dead_letters_total', help: 'Dead letters published (whole messages and single rejected records)', labelNames: ['stage', 'pipeline', 'code'], registers });
  const duration = new Histogram({
    name: 'etl_message_duration_seconds',
    help: 'Time to handle one consumed message, retries included, until it is committed (or abandoned)',
    labelNames: ['stage', 'topic', 'outcome'],
    buckets: MESSAGE_DURATION_BUCKETS,
    registers,
  });

  if (options.readLag) registerLagGauges(registry, stage, options.readLag, options.lagTimeoutMs ?? 2000, now);

  const add = (counter: Counter<'stage' | 'pipeline'>) => (pipeline: string, n: number) => {
    if (n > 0) counter.inc({ stage, pipeline }, n);
  };
  return {
    recordsIn: add(recordsIn),
    recordsOut: add(recordsOut),
    rejected: add(rejected),
    deadLettered: (pipeline, code) => deadLetters.inc({ stage, pipeline: pipeline ?? '', code }),
    messageHandled: (topic, outcome, seconds) => duration.observe({ stage, topic, outcome }, seconds),
  };
}

/**
 * etl_consumer_lag and its age. prom-client collects all metrics of a scrape
 * at once, so both gauges await one shared refresh; a refresh still running
 * from an earlier scrape is joined, not repeated.
 */
function registerLagGauges(registry: Registry, stage: string, readLag: () => Promise<PartitionLagSample[]>, timeoutMs: number, now: () => number): void {
  let lastReadAt: number | undefined;
  let pending: Promise<void> | undefined;
  const lag = new Gauge({ name: 'etl_consumer_lag', help: 'Messages not yet committed by the stage group, per partition (last known when the broker does not answer)', labelNames: ['stage', 'topic', 'partition'], registers: [registry], collect: () => refresh() });
  const age = new Gauge({ name: 'etl_consumer_lag_age_seconds', help: 'Age of the etl_consumer_lag figures: grows while the broker does not answer', labelNames: ['stage'], registers: [registry], collect: () => refresh() });

  const refresh = (): Promise<void> =>
    (pending ??= (async () => {
      try {
        const samples = await withTimeout(readLag(), timeoutMs, 'consumer lag read');
        lag.reset();
        for (const s of samples) lag.set({ stage, topic: s.topic, partition: String(s.partition) }, s.lag);
        lastReadAt = now();
      } catch {
        // keep the last known figures; their age says how stale they are
      }
      if (lastReadAt !== undefined) age.set({ stage }, (now() - lastReadAt) / 1000);
    })().finally(() => (pending = undefined)));
}
