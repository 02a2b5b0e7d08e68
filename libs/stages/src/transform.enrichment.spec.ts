import type { Chunk } from '@brokered-etl/contracts';
import { createEnrichmentRuntime, createMemoryResponseStore } from '@brokered-etl/enrichment';
import type { InboundMessage } from '@brokered-etl/messaging';
import type { AnyPipeline } from '@brokered-etl/pipeline-kit';
import { evaluateRisk, startThirdPartyService, type ThirdPartyService } from '@brokered-etl/third-party';
import { fakeHandlerContext, fakeStageDeps, numbersPipeline } from './stage-deps.fixture';
import { createTransformHandler } from './transform.handler';

jest.setTimeout(20_000);

/** numbersPipeline with a risk evaluation per even number, from the simulated service. */
const enrichedNumbers: AnyPipeline = {
  ...numbersPipeline,
  enrichment: {
    service: 'sim-risk',
    version: '1',
    keyOf: (r: { id: string }) => r.id,
    request: (key: string) => ({ path: `/risk/${key}` }),
    apply: (r: object, answer: unknown) => ({ ...r, risk: answer }),
    limits: { concurrency: 2, requestsPerSecond: 50, burst: 10, timeoutMs: 1000, maxAttempts: 3, cacheTtlMs: 60_000 },
  },
};

describe('transformer with an enrichment step', () => {
  let service: ThirdPartyService;
  beforeAll(async () => (service = await startThirdPartyService({ latency: { medianMs: 20, p95Ms: 40 }, refusedKeys: ['n4'] })));
  afterAll(() => service.close());
  beforeEach(() => service.resetCounters());

  // one response store per test: a second handler built on it sees what the first staged
  function setup(budgetMs = 5000, runtime = createEnrichmentRuntime({ services: { 'sim-risk': service.url }, store: createMemoryResponseStore() })) {
    const fake = fakeStageDeps();
    const resent: Array<{ topic: string; key: unknown; value: unknown; headers?: Record<string, unknown> }> = [];
    const events: Array<{ type: string; records?: number | null; message?: string | null }> = [];
    const deps = {
      ...fake.deps,
      pipelines: { find: () => enrichedNumbers, names: () => ['numbers'] },
      producer: { ...fake.deps.producer, sendRaw: async (topic: string, messages: Array<{ key: unknown; value: unknown; headers?: Record<string, unknown> }>) => void resent.push(...messages.map((m) => ({ topic, ...m }))) },
      events: { emit: async (event: (typeof events)[number]) => void events.push(event) },
      enrichment: runtime,
      enrichmentBudgetMs: budgetMs,
    };
    return { ...fake, deps, resent, events, runtime, handle: createTransformHandler(deps) };
  }

  const messageOf = (records: Array<{ n: number }>): InboundMessage<Chunk<Record<string, unknown>>> => ({
    value: { runId: 'r1', pipeline: 'numbers', chunkSeq: 0, firstRecordIndex: 0, records },
    topic: 'unit.numbers.extracted',
    partition: 0,
    offset: '0',
    key: Buffer.from('r1:0'),
    rawValue: Buffer.from('bytes'),
    headers: { 'etl-run-id': 'r1' },
    rawHeaders: [{ key: 'etl-run-id', value: Buffer.from('r1') }],
    attempt: 1,
  });

  it('puts each answer in its record, rejects a refused record with the service reason, and calls nothing on a rerun', async () => {
    const { handle, sent, published, runtime } = setup();
    const records = [0, 1, 2, 4].map((n) => ({ n }));
    await handle(messageOf(records), fakeHandlerContext());
    const chunk = sent.find((m) => m.topic === 'unit.numbers.transformed')!.value as Chunk<{ id: string; risk: unknown }>;
    expect(chunk.records).toEqual([
      { n: 0, id: 'n0', risk: evaluateRisk('n0') },
      { n: 2, id: 'n2', risk: evaluateRisk('n2') },
    ]);
    // n1 fails the transform (odd) and is never sent to the service; n4 is refused by it
    expect(published.map((d) => [d.recordIndex, d.errorCode, d.errorMessage])).toEqual([
      [1, 'VALIDATION_FAILED', 'odd 1'],
      [3, 'ENRICHMENT_REFUSED', 'sim-risk refused "n4": 422 no evaluation possible for "n4"'],
    ]);
    expect(service.counters().byKey).toEqual({ n0: 1, n2: 1, n4: 1 });

    service.resetCounters();
    await handle(messageOf(records), fakeHandlerContext());
    expect(service.counters().calls).toBe(0);
    await runtime.stop();
  });

  it('yields the partition when its time budget is spent: the same message goes back, only its waiting records are marked, and it resumes from staged answers', async () => {
    const { handle, sent, resent, events, runtime, deps } = setup(200);
    service.configure({ latency: { medianMs: 60, p95Ms: 80 } });
    const records = Array.from({ length: 20 }, (_, i) => ({ n: 100 + 2 * i }));
    await handle(messageOf(records), fakeHandlerContext());
    expect(sent.filter((m) => m.topic === 'unit.numbers.transformed')).toHaveLength(0);
    expect(resent).toEqual([{ topic: 'unit.numbers.extracted', key: Buffer.from('r1:0'), value: Buffer.from('bytes'), headers: { 'etl-run-id': Buffer.from('r1') } }]);
    const firstCalls = service.counters().calls;
    expect(firstCalls).toBeGreaterThan(0);
    expect(firstCalls).toBeLessThan(20);
    expect(events).toEqual([expect.objectContaining({ type: 'chunk.waiting', records: 20 - firstCalls, message: `waiting on sim-risk: ${20 - firstCalls} pending` })]);
    const counts = await deps.staging.countRun('r1');
    expect(counts).toMatchObject({ transformed: 0, waiting: { 'sim-risk': 20 - firstCalls } });

    // the chunk's next turn, with time enough: only the keys left are asked
    const next = setup(5000, runtime);
    await next.handle(messageOf(records), fakeHandlerContext());
    expect(service.counters().calls).toBe(20);
    expect((next.sent.find((m) => m.topic === 'unit.numbers.transformed')!.value as Chunk<unknown>).records).toHaveLength(20);
    service.configure({ latency: { medianMs: 20, p95Ms: 40 } });
    await runtime.stop();
  });
});
