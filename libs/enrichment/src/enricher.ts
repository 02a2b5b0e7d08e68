import { EtlError } from '@brokered-etl/errors';
import type { EnrichmentStep } from '@brokered-etl/pipeline-kit';
import { callWithRetry, type CallResult } from './call-policy';
import type { EnrichmentMetrics } from './enrichment.metrics';
import { responseId, type ResponseStore, type StagedResponse } from './response.store';
import type { ServiceLimiter } from './service-limiter';

export interface EnrichInput<Rec> {
  pipeline: string;
  step: EnrichmentStep<Rec>;
  runId: string;
  records: readonly Rec[];
  /** Staged responses fetched after this are reused: the run's start minus the TTL, or the time a refresh was asked. */
  reuseFetchedSince: Date;
  signal: AbortSignal;
  /** No call starts after this (Date.now() ms): what is left waits for the chunk's next turn. */
  deadlineAt: number;
}

export type EnrichedRecord<Rec> = { ok: true; record: Rec } | { ok: false; error: EtlError };

export type EnrichOutcome<Rec> =
  | { done: true; results: Array<EnrichedRecord<Rec>>; calls: number; cacheHits: number }
  /** The time budget ran out: `waiting` keys have no answer yet (`jobs` of them are submitted jobs); answers so far are staged. */
  | { done: false; waiting: number; jobs: number; calls: number; cacheHits: number };

export interface EnricherDeps {
  store: ResponseStore;
  limiter: ServiceLimiter;
  metrics: EnrichmentMetrics;
  baseUrl: string;
  now?: () => Date;
}

type Settled = { answer: unknown } | { refused: string };

/**
 * One chunk's records through one service: staged answers first, then calls
 * for the keys left (a few at a time, through the shared limiter), each answer
 * staged as it arrives, so a chunk cut short (deadline, rebalance, crash)
 * keeps what it paid for. Keys shared by several records are asked once.
 */
export async function enrichRecords<Rec>(input: EnrichInput<Rec>, deps: EnricherDeps): Promise<EnrichOutcome<Rec>> {
  const { step, pipeline } = input;
  const now = deps.now ?? (() => new Date());
  const keyOfRecord = input.records.map((r) => step.keyOf(r));
  const keys = [...new Set(keyOfRecord)];
  const staged = await deps.store.get(keys.map((k) => responseId(pipeline, step.version, k)));

  const settled = new Map<string, Settled>();
  const jobs = new Map<string, string>();
  for (const key of keys) {
    const doc = staged.get(responseId(pipeline, step.version, key));
    if (!doc) continue;
    if (doc.outcome === 'pending' && doc.jobId) jobs.set(key, doc.jobId);
    else if (doc.fetchedAt.getTime() > input.reuseFetchedSince.getTime()) settled.set(key, settledOf(doc));
  }
  const cacheHits = settled.size;
  deps.metrics.cache(pipeline, step.service, cacheHits, keys.length - cacheHits);

  const todo = keys.filter((k) => !settled.has(k));
  const units = unitsOf(step, todo, jobs);
  let calls = 0;
  const exhausted: Array<{ reason: string; attempts: number }> = [];

  const stage = (key: string, fields: Pick<StagedResponse, 'outcome' | 'body' | 'reason' | 'jobId'>) =>
    deps.store.put({ id: responseId(pipeline, step.version, key), pipeline, service: step.service, version: step.version, key, fetchedAt: now(), runId: input.runId, ...fields });

  async function runUnit(unit: Unit): Promise<void> {
    const result: CallResult = await callWithRetry(unit.plan, {
      baseUrl: deps.baseUrl,
      limiter: deps.limiter,
      limits: step.limits,
      signal: input.signal,
      deadlineAt: input.deadlineAt,
      onAttempt: (outcome, seconds) => {
        calls++;
        deps.metrics.attempt(pipeline, step.service, outcome, seconds);
      },
    });
    switch (result.kind) {
      case 'answer': {
        const answers = unit.batched && step.batch ? step.batch.answersOf(result.body, unit.keys) : { [unit.keys[0]]: { value: result.body } };
        for (const key of unit.keys) {
          const answer = answers[key] ?? { refused: `no answer for "${key}" in the batch response` };
          if ('refused' in answer) {
            deps.metrics.failed(pipeline, step.service, 'refused');
            settled.set(key, { refused: answer.refused });
            await stage(key, { outcome: 'refused', reason: answer.refused });
          } else {
            // through JSON, as a staged answer comes back: a fresh answer and a reused one are the same value
            const body = JSON.stringify(answer.value ?? null);
            settled.set(key, { answer: JSON.parse(body) });
            await stage(key, { outcome: 'answer', body });
          }
        }
        return;
      }
      case 'refused':
        for (const key of unit.keys) {
          deps.metrics.failed(pipeline, step.service, 'refused');
          settled.set(key, { refused: result.reason });
          await stage(key, { outcome: 'refused', reason: result.reason });
        }
        return;
      case 'pending':
        jobs.set(unit.keys[0], result.jobId);
        await stage(unit.keys[0], { outcome: 'pending', jobId: result.jobId });
        return;
      case 'exhausted':
        deps.metrics.failed(pipeline, step.service, 'exhausted');
        exhausted.push(result);
        return;
      case 'deferred':
        return;
    }
  }

  // a window of units per chunk: the limiter is shared with the worker's other partitions, and units not started by the deadline stay queued here
  let next = 0;
  const window = Math.max(1, step.limits.concurrency * 2);
  const feeders = Array.from({ length: Math.min(window, units.length) }, async () => {
    while (next < units.length && Date.now() <= input.deadlineAt && !input.signal.aborted) await runUnit(units[next++]);
  });
  const failures = (await Promise.allSettled(feeders)).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length) throw failures[0].reason;
  if (input.signal.aborted) throw input.signal.reason ?? new Error('aborted');

  if (exhausted.length) {
    const last = exhausted[exhausted.length - 1];
    throw new EtlError('SERVICE_UNAVAILABLE', `${step.service}: ${exhausted.length} call(s) got no answer after ${last.attempts} attempts (last: ${last.reason})`, { details: { service: step.service } });
  }
  const waiting = keys.filter((k) => !settled.has(k));
  if (waiting.length) return { done: false, waiting: waiting.length, jobs: waiting.filter((k) => jobs.has(k)).length, calls, cacheHits };

  const results = input.records.map((record, i): EnrichedRecord<Rec> => {
    const key = keyOfRecord[i];
    const outcome = settled.get(key)!;
    if ('refused' in outcome) return { ok: false, error: new EtlError('ENRICHMENT_REFUSED', `${step.service} refused "${key}": ${outcome.refused}`, { details: { service: step.service, key } }) };
    try {
      return { ok: true, record: step.apply(record, outcome.answer) };
    } catch (err) {
      if (err instanceof EtlError && err.code === 'VALIDATION_FAILED') return { ok: false, error: err };
      throw err;
    }
  });
  return { done: true, results, calls, cacheHits };
}

interface Unit {
  keys: string[];
  batched: boolean;
  plan: Parameters<typeof callWithRetry>[0];
}

/** Per key, or per batch of keys when the step batches; a key with a submitted job is polled on its own. */
function unitsOf<Rec>(step: EnrichmentStep<Rec>, todo: string[], jobs: Map<string, string>): Unit[] {
  const units: Unit[] = [];
  const fresh = todo.filter((k) => !jobs.has(k));
  for (const key of todo.filter((k) => jobs.has(k))) units.push({ keys: [key], batched: false, plan: { request: step.request(key), job: step.job, jobId: jobs.get(key) } });
  if (step.batch) {
    for (let i = 0; i < fresh.length; i += step.batch.maxKeys) {
      const keys = fresh.slice(i, i + step.batch.maxKeys);
      units.push({ keys, batched: true, plan: { request: step.batch.request(keys) } });
    }
  } else {
    for (const key of fresh) units.push({ keys: [key], batched: false, plan: { request: step.request(key), job: step.job } });
  }
  return units;
}

function settledOf(doc: StagedResponse): Settled {
  return doc.outcome === 'refused' ? { refused: doc.reason ?? 'refused' } : { answer: JSON.parse(doc.body ?? 'null') };
}
