import type { EnrichmentLimits, EnrichmentStep } from '@brokered-etl/pipeline-kit';
import { evaluateRisk, startThirdPartyService, type ThirdPartyService } from '@brokered-etl/third-party';
import { enrichRecords, type EnrichInput } from './enricher';
import { createMemoryEnrichmentMetrics } from './enrichment.metrics';
import { createMemoryResponseStore } from './memory-response.store';
import { reuseFetchedSince } from './enrichment.runtime';
import { createServiceLimiter } from './service-limiter';

// the simulated third party on loopback: what it counts is what the limits are checked against
type Rec = { code: string; risk?: unknown };
const LIMITS: EnrichmentLimits = { concurrency: 4, requestsPerSecond: 20, burst: 5, timeoutMs: 1000, maxAttempts: 4, cacheTtlMs: 3_600_000 };

const stepWith = (overrides: Partial<EnrichmentStep<Rec>> = {}): EnrichmentStep<Rec> => ({
  service: 'sim-risk',
  version: '1',
  keyOf: (r) => r.code,
  request: (key) => ({ path: `/risk/${encodeURIComponent(key)}` }),
  apply: (r, answer) => ({ ...r, risk: answer }),
  limits: LIMITS,
  ...overrides,
});

jest.setTimeout(20_000);

describe('enrichRecords against the simulated service', () => {
  let service: ThirdPartyService;
  const store = createMemoryResponseStore();
  const runStart = new Date();
  beforeAll(async () => (service = await startThirdPartyService({ latency: { medianMs: 30, p95Ms: 60 } })));
  afterAll(() => service.close());
  beforeEach(() => {
    service.resetCounters();
    service.configure({ refusedKeys: [], hangingKeys: [], throttle: undefined, serverErrorRate: 0 });
  });

  const enrich = async (records: Rec[], options: Partial<EnrichInput<Rec>> & { limits?: Partial<EnrichmentLimits> } = {}) => {
    const step = options.step ?? stepWith({ limits: { ...LIMITS, ...options.limits } });
    const limiter = createServiceLimiter(step.limits);
    const metrics = createMemoryEnrichmentMetrics();
    try {
      const outcome = await enrichRecords(
        { pipeline: 'p', step, runId: 'r1', records, reuseFetchedSince: reuseFetchedSince({ requestedAt: runStart }, LIMITS.cacheTtlMs), signal: new AbortController().signal, deadlineAt: Infinity, ...options },
        { store, limiter, metrics, baseUrl: service.url },
      );
      return { outcome, metrics };
    } finally {
      await limiter.stop();
    }
  };
  const codes = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ code: `${prefix}${i}` }));

  it('keeps concurrency and rate within the limits, as the service counts them', async () => {
    const started = performance.now();
    const { outcome } = await enrich(codes('limit', 60));
    const seconds = (performance.now() - started) / 1000;
    const seen = service.counters();
    expect(outcome.done).toBe(true);
    expect(seen.calls).toBe(60);
    expect(seen.maxInFlight).toBeLessThanOrEqual(LIMITS.concurrency);
    expect(seen.maxInFlight).toBeGreaterThan(1);
    // a token bucket lets at most burst + rate through in any one second
    expect(seen.maxPerSecond).toBeLessThanOrEqual(LIMITS.burst + LIMITS.requestsPerSecond);
    expect(seconds).toBeGreaterThanOrEqual((60 - LIMITS.burst) / LIMITS.requestsPerSecond - 0.3);
  });

  it('asks once per key, and a record carries the answer for its key', async () => {
    const { outcome } = await enrich([{ code: 'dup-A' }, { code: 'dup-B' }, { code: 'dup-A' }]);
    expect(service.counters().calls).toBe(2);
    if (!outcome.done) throw new Error('not done');
    expect(outcome.results.map((r) => (r.ok ? (r.record.risk as { key: string }).key : r.error.code))).toEqual(['dup-A', 'dup-B', 'dup-A']);
    expect(outcome.results[0]).toEqual({ ok: true, record: { code: 'dup-A', risk: evaluateRisk('dup-A') } });
  });

  it('waits out a 429 for its Retry-After, then gets the answer', async () => {
    service.script({ status: 429, count: 1, retryAfterSeconds: 1 });
    const started = performance.now();
    const { outcome, metrics } = await enrich([{ code: 'throttled-1' }]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(outcome.done).toBe(true);
    expect(service.counters().byStatus).toEqual({ '429': 1, '200': 1 });
    expect(metrics.total('calls:p:sim-risk:429')).toBe(1);
  });

  it('retries 5xx with backoff until an answer', async () => {
    service.script({ status: 503, count: 2 });
    const { outcome } = await enrich([{ code: 'flaky-1' }]);
    expect(outcome.done && outcome.results[0].ok).toBe(true);
    expect(service.counters().byStatus).toEqual({ '503': 2, '200': 1 });
  });

  it('gives a call up after maxAttempts timeouts: the chunk fails as transient, the other answers stay staged', async () => {
    service.configure({ hangingKeys: ['hangs'] });
    await expect(enrich([{ code: 'ok-beside-hang' }, { code: 'hangs' }], { limits: { timeoutMs: 150, maxAttempts: 2 } })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', retriable: true });
    expect(service.counters().byKey).toEqual({ 'ok-beside-hang': 1, hangs: 2 });
    service.resetCounters();
    service.configure({ hangingKeys: [] });
    const { outcome } = await enrich([{ code: 'ok-beside-hang' }, { code: 'hangs' }]);
    expect(outcome.done).toBe(true);
    expect(service.counters().byKey).toEqual({ hangs: 1 });
  });

  it('rejects a refused record with the service reason, and keeps the refusal', async () => {
    service.configure({ refusedKeys: ['refused-X'] });
    const { outcome } = await enrich([{ code: 'refused-X' }, { code: 'fine-Y' }]);
    if (!outcome.done) throw new Error('not done');
    expect(outcome.results[0]).toMatchObject({ ok: false, error: { code: 'ENRICHMENT_REFUSED', message: 'sim-risk refused "refused-X": 422 no evaluation possible for "refused-X"' } });
    expect(outcome.results[1].ok).toBe(true);
    service.resetCounters();
    await enrich([{ code: 'refused-X' }, { code: 'fine-Y' }]);
    expect(service.counters().calls).toBe(0);
  });

  it('reuses staged answers (zero calls) unless asked to refresh', async () => {
    await enrich(codes('reuse', 5));
    service.resetCounters();
    const { outcome, metrics } = await enrich(codes('reuse', 5));
    expect(outcome).toMatchObject({ done: true, calls: 0, cacheHits: 5 });
    expect(service.counters().calls).toBe(0);
    expect(metrics.total('hit:p:sim-risk')).toBe(5);
    await enrich(codes('reuse', 5), { reuseFetchedSince: new Date() });
    expect(service.counters().calls).toBe(5);
  });

  it('a later run reuses an answer within the TTL and asks again past it', async () => {
    await enrich([{ code: 'ttl-1' }]);
    service.resetCounters();
    await enrich([{ code: 'ttl-1' }], { reuseFetchedSince: reuseFetchedSince({ requestedAt: new Date(Date.now() + 60_000) }, 3_600_000) });
    expect(service.counters().calls).toBe(0);
    await enrich([{ code: 'ttl-1' }], { reuseFetchedSince: reuseFetchedSince({ requestedAt: new Date(Date.now() + 60_000) }, 1000) });
    expect(service.counters().calls).toBe(1);
  });

  it('stops starting calls at its deadline; the next pass asks only for what is left', async () => {
    const first = await enrich(codes('deadline', 40), { deadlineAt: Date.now() + 700 });
    expect(first.outcome).toMatchObject({ done: false });
    const firstCalls = service.counters().calls;
    expect(firstCalls).toBeGreaterThan(0);
    expect(firstCalls).toBeLessThan(40);
    const second = await enrich(codes('deadline', 40));
    expect(second.outcome.done).toBe(true);
    expect(service.counters().calls).toBe(40);
  });

  it('asks per batch when the step batches', async () => {
    const step = stepWith({
      batch: {
        maxKeys: 10,
        request: (keys) => ({ method: 'POST', path: '/risk/batch', body: { keys } }),
        answersOf: (body, keys) => Object.fromEntries(keys.map((k) => [k, { value: (body as { results: Record<string, unknown> }).results[k] }])),
      },
    });
    const { outcome } = await enrich(codes('batch', 25), { step });
    expect(outcome.done).toBe(true);
    expect(service.counters().calls).toBe(3);
    if (outcome.done) expect(outcome.results[24]).toEqual({ ok: true, record: { code: 'batch24', risk: evaluateRisk('batch24') } });
  });

  it('submits a long job, polls it until ready, and resumes a pending job instead of submitting again', async () => {
    service.configure({ jobDurationMs: 600 });
    const step = stepWith({
      request: (key) => ({ method: 'POST', path: '/jobs', body: { key } }),
      job: { jobIdOf: (body) => (body as { jobId: string }).jobId, poll: (jobId) => ({ path: `/jobs/${jobId}` }), pollEveryMs: 200 },
    });
    const first = await enrich([{ code: 'job-1' }], { step, deadlineAt: Date.now() + 100 });
    expect(first.outcome).toMatchObject({ done: false, waiting: 1, jobs: 1 });
    const second = await enrich([{ code: 'job-1' }], { step });
    if (!second.outcome.done) throw new Error('not done');
    expect(second.outcome.results[0]).toEqual({ ok: true, record: { code: 'job-1', risk: evaluateRisk('job-1') } });
    // one submit in all; the rest are polls
    expect(service.counters().byStatus['202']).toBeGreaterThanOrEqual(2);
    expect(Object.values(service.counters().byStatus).reduce((a, b) => a + b, 0)).toBe(service.counters().calls);
  });
});
