import { getEventListeners } from 'node:events';
import type { EachBatchPayload, Kafka } from 'kafkajs';
import type { DeadLetter } from '@brokered-etl/contracts';
import { EtlError } from '@brokered-etl/errors';
import { createSilentLogger } from '@brokered-etl/observability';
import type { InboundMessage } from './message.types';
import { createStageConsumer } from './stage-consumer';

/** Readiness from the consumer's lifecycle events, on a fake kafkajs consumer (no broker). */
describe('stage consumer readiness', () => {
  function setUp() {
    const handlers = new Map<string, (event: { payload: Record<string, unknown> }) => void>();
    const events = { GROUP_JOIN: 'join', REBALANCING: 'rebalancing', STOP: 'stop', CRASH: 'crash', HEARTBEAT: 'heartbeat' };
    const fake = {
      events,
      on: (name: string, handler: (event: { payload: Record<string, unknown> }) => void) => void handlers.set(name, handler),
      connect: async () => undefined,
      subscribe: async () => undefined,
      run: async () => undefined,
      disconnect: async () => undefined,
    };
    const kafka = { consumer: () => fake } as unknown as Kafka;
    const consumer = createStageConsumer({
      kafka,
      stage: 'loader',
      groupId: 'g',
      topics: ['t'],
      decode: async () => undefined,
      handle: async () => undefined,
      deadLetters: { publish: async () => undefined },
      logger: createSilentLogger(),
      readinessStaleMs: 10_000,
    });
    const emit = (name: keyof typeof events, payload: Record<string, unknown> = {}) => handlers.get(events[name])!({ payload });
    return { consumer, emit };
  }

  it('is unready while starting, ready once started and in its group', async () => {
    const { consumer, emit } = setUp();
    expect(consumer.readiness()).toMatchObject({ ok: false, reason: 'starting' });
    await consumer.start();
    expect(consumer.readiness()).toMatchObject({ ok: false, inGroup: false });
    emit('GROUP_JOIN', { memberId: 'm', groupId: 'g', isLeader: true, memberAssignment: {} });
    expect(consumer.readiness()).toMatchObject({ ok: true, inGroup: true });
  });

  it('goes unready when no heartbeat was accepted for longer than the limit, even in its group, and ready on the next', async () => {
    const { consumer, emit } = setUp();
    await consumer.start();
    emit('GROUP_JOIN', { memberId: 'm', groupId: 'g' });
    const later = Date.now() + 10_500;
    expect(consumer.readiness(later)).toMatchObject({ ok: false, inGroup: true, reason: expect.stringMatching(/no heartbeat accepted by the broker for 10\.5 s/) });
    emit('HEARTBEAT');
    expect(consumer.readiness()).toMatchObject({ ok: true });
  });

  it('goes unready on a rebalance or a crash, and when stopping', async () => {
    const { consumer, emit } = setUp();
    await consumer.start();
    emit('GROUP_JOIN', { memberId: 'm', groupId: 'g' });
    emit('REBALANCING');
    expect(consumer.readiness()).toMatchObject({ ok: false, reason: expect.stringMatching(/not in its consumer group/) });
    emit('GROUP_JOIN', { memberId: 'm', groupId: 'g' });
    emit('CRASH', { error: new Error('connection refused'), restart: true });
    expect(consumer.readiness().ok).toBe(false);
    emit('GROUP_JOIN', { memberId: 'm', groupId: 'g' });
    await consumer.stop();
    expect(consumer.readiness()).toMatchObject({ ok: false, reason: 'stopping' });
  });
});

/** Messages fed through the consumer loop of a fake kafkajs consumer (no broker). */
describe('stage consumer loop', () => {
  function setUp<T>(options: Pick<Parameters<typeof createStageConsumer<T>>[0], 'decode' | 'handle'> & { backoff?: { initialMs: number; maxMs: number; factor: number } }) {
    let eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
    const commits: unknown[] = [];
    const deadLetters: DeadLetter[] = [];
    const fake = {
      events: {},
      on: () => undefined,
      connect: async () => undefined,
      subscribe: async () => undefined,
      run: async (config: { eachBatch: typeof eachBatch }) => void (eachBatch = config.eachBatch),
      commitOffsets: async (offsets: unknown[]) => void commits.push(...offsets),
      disconnect: async () => undefined,
    };
    const consumer = createStageConsumer<T>({
      kafka: { consumer: () => fake } as unknown as Kafka,
      stage: 'transformer',
      groupId: 'g',
      topics: ['t'],
      deadLetters: { publish: async (dl) => void deadLetters.push(dl) },
      logger: createSilentLogger(),
      ...options,
    });
    const feed = (message: { offset: string; key: Buffer | null; value: Buffer; headers: Record<string, Buffer> }) =>
      eachBatch!({
        batch: { topic: 't', partition: 1, messages: [{ ...message, timestamp: '0', attributes: 0 }] },
        isRunning: () => true,
        isStale: () => false,
        heartbeat: async () => undefined,
        pause: () => () => undefined,
        resolveOffset: () => undefined,
      } as unknown as EachBatchPayload);
    return { consumer, feed, commits, deadLetters };
  }

  it('dead-letters a message the handler refuses with its bytes and lineage, and commits past it', async () => {
    const seen: Array<InboundMessage<string>> = [];
    const { consumer, feed, commits, deadLetters } = setUp<string>({
      decode: async (value) => value!.toString(),
      handle: async (message) => {
        seen.push(message);
        throw new EtlError('VALIDATION_FAILED', 'never valid');
      },
    });
    await consumer.start();
    const headers = { 'etl-run-id': Buffer.from('r1'), 'etl-pipeline': Buffer.from('flights'), 'etl-chunk-seq': Buffer.from('7') };
    await feed({ offset: '3', key: Buffer.from('k'), value: Buffer.from('poison'), headers });

    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ value: 'poison', headers: { 'etl-run-id': 'r1', 'etl-pipeline': 'flights', 'etl-chunk-seq': '7' }, attempt: 1 });
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({
      id: 'transformer:t:1:3',
      runId: 'r1',
      pipeline: 'flights',
      stage: 'transformer',
      errorCode: 'VALIDATION_FAILED',
      errorMessage: 'never valid',
      attempts: 1,
      topic: 't',
      partition: 1,
      offset: '3',
      key: Buffer.from('k'),
      value: Buffer.from('poison'),
      chunkSeq: 7,
      recordIndex: null,
      record: null,
    });
    expect(deadLetters[0]!.headers).toEqual(Object.entries(headers).map(([key, value]) => ({ key, value })));
    expect(commits).toEqual([{ topic: 't', partition: 1, offset: '4' }]);
  });

  it('retries a transient failure with backoff and leaves no listener behind on the shared abort signal', async () => {
    let signal: AbortSignal | undefined;
    let attempts = 0;
    const { consumer, feed, commits } = setUp<string>({
      decode: async (value) => value!.toString(),
      handle: async (_message, context) => {
        signal = context.signal;
        if (++attempts < 4) throw new EtlError('DATABASE_UNAVAILABLE', 'restarting');
      },
      backoff: { initialMs: 1, maxMs: 2, factor: 1 },
    });
    await consumer.start();
    await feed({ offset: '0', key: null, value: Buffer.from('flaky'), headers: {} });
    expect(attempts).toBe(4);
    expect(commits).toEqual([{ topic: 't', partition: 1, offset: '1' }]);
    expect(getEventListeners(signal!, 'abort')).toHaveLength(0);
  });
});
