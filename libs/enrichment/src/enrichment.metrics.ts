import { Counter, Histogram, type Registry } from 'prom-client';
import type { AttemptOutcome } from './service-call';

/** What the enrichment step counts, per pipeline and service. A port: unit tests use the memory one. */
export interface EnrichmentMetrics {
  attempt(pipeline: string, service: string, outcome: AttemptOutcome, seconds: number): void;
  cache(pipeline: string, service: string, hits: number, misses: number): void;
  /** A call that ended without an answer: `refused` (the record is rejected) or `exhausted` (the chunk is retried). */
  failed(pipeline: string, service: string, kind: 'refused' | 'exhausted'): void;
}

export const noopEnrichmentMetrics: EnrichmentMetrics = { attempt: () => undefined, cache: () => undefined, failed: () => undefined };

/** Seconds per attempt: a quick lookup answers in tens of milliseconds, a slow evaluation in seconds, a timeout at its limit. */
export const CALL_DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Status of an attempt as a label: 200, 202, 429, 503, timeout, error. */
export const statusLabelOf = (outcome: AttemptOutcome) => String(outcome.status);

/** The etl_enrichment_* metrics, on the worker's registry beside the stage's etl_* ones. */
export function createPromEnrichmentMetrics(registry: Registry): EnrichmentMetrics {
  const registers = [registry];
  const calls = new Counter({ name: 'etl_enrichment_calls_total', help: 'HTTP attempts to an enrichment service, by answer status (timeout, error: no answer)', labelNames: ['pipeline', 'service', 'status'], registers });
  const duration = new Histogram({ name: 'etl_enrichment_call_duration_seconds', help: 'Time of one attempt, from its start (after the limiter) to its answer', labelNames: ['pipeline', 'service'], buckets: CALL_DURATION_BUCKETS, registers });
  const cache = new Counter({ name: 'etl_enrichment_cache_total', help: 'Request keys answered from staged responses (hit) or needing a call (miss)', labelNames: ['pipeline', 'service', 'result'], registers });
  const errors = new Counter({ name: 'etl_enrichment_errors_total', help: 'Calls that ended without an answer: refused (record rejected) or exhausted (chunk retried)', labelNames: ['pipeline', 'service', 'kind'], registers });
  return {
    attempt(pipeline, service, outcome, seconds) {
      calls.inc({ pipeline, service, status: statusLabelOf(outcome) });
      duration.observe({ pipeline, service }, seconds);
    },
    cache(pipeline, service, hits, misses) {
      if (hits) cache.inc({ pipeline, service, result: 'hit' }, hits);
      if (misses) cache.inc({ pipeline, service, result: 'miss' }, misses);
    },
    failed: (pipeline, service, kind) => errors.inc({ pipeline, service, kind }),
  };
}

/** Totals in memory, keyed like "calls:<pipeline>:<service>:<status>", "hit:…", "miss:…", "refused:…". */
export function createMemoryEnrichmentMetrics(): EnrichmentMetrics & { total(key: string): number } {
  const totals = new Map<string, number>();
  const add = (key: string, n = 1) => void totals.set(key, (totals.get(key) ?? 0) + n);
  return {
    attempt: (pipeline, service, outcome) => add(`calls:${pipeline}:${service}:${statusLabelOf(outcome)}`),
    cache(pipeline, service, hits, misses) {
      add(`hit:${pipeline}:${service}`, hits);
      add(`miss:${pipeline}:${service}`, misses);
    },
    failed: (pipeline, service, kind) => add(`${kind}:${pipeline}:${service}`),
    total: (key) => totals.get(key) ?? 0,
  };
}
