import { getEventListeners } from 'node:events';
import { KafkaJSConnectionError, type EachBatchPayload, type Kafka } from 'kafkajs';
import type { DeadLetter } from '@brokered-etl/contracts';
import { EtlError } from '@brokered-etl/errors';
import { createSilentLogger } from '@brokered-etl/observability';
import type { InboundMessage } from './message.types';
import { createStageConsumer } from './stage-consumer';
import type { MessageHandledEvent, StageConsumerOptions } from './stage-consumer.types';

// kafkajs' own error table, so a broker answer is built as kafkajs builds it
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode(code: number): Error & { type: string } };
const REBALANCE_IN_PROGRESS = 27;
const ILLEGAL_GENERATION = 22;

/** Readiness from the consumer's lifecycle events, on a fake kafkajs consumer (no broker). */
describe('stage consumer readiness', () => {
  function setUp(onFatal?: (error: unknown) => void) {
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
      onFatal,
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

  it('stops the process when kafkajs crashed for good (restart: false), not when it restarts the consumer itself', async () => {
    const fatal: unknown[] = [];
    const { consumer, emit } = setUp((error) => fatal.push(error));
    await consumer.start();
    emit('CRASH', { error: new Error('connection refused'), restart: true });
    expect(fatal).toEqual([]);
    const error = new Error('Specified group generation id is not valid');
    emit('CRASH', { error, restart: false });
    expect(fatal).toEqual([error]);
  });
});

/** Messages fed through the consumer loop of a fake kafkajs consumer (no broker). */
describe('stage consumer loop', () => {
  type Fed = { offset: string; key?: Buffer | null; value?: Buffer; headers?: Record<string, Buffer> };
  type LoopOptions<T> = Pick<StageConsumerOptions<T>, 'decode' | 'handle'> &
    Partial<Pick<StageConsumerOptions<T>, 'backoff' | 'retry' | 'maxBatchMs' | 'stuckAfterMs' | 'heartbeatIntervalMs' | 'onFatal'>> & {
      /** The payload's heartbeat: kafkajs' runner.heartbeat, which rethrows the broker's answer. */
      heartbeat?: () => Promise<void>;
      commitOffsets?: (offsets: unknown[]) => Promise<void>;
    };

  function setUp<T>({ heartbeat = async () => undefined, commitOffsets, ...options }: LoopOptions<T>) {
    let eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
    const commits: unknown[] = [];
    const resolved: string[] = [];
    const deadLetters: DeadLetter[] = [];
    const handled: MessageHandledEvent[] = [];
    const fake = {
      events: {},
      on: () => undefined,
      connect: async () => undefined,
      subscribe: async () => undefined,
      run: async (config: { eachBatch: typeof eachBatch }) => void (eachBatch = config.eachBatch),
      commitOffsets: async (offsets: unknown[]) => {
        await commitOffsets?.(offsets);
        commits.push(...offsets);
      },
      disconnect: async () => undefined,
    };
    const consumer = createStageConsumer<T>({
      kafka: { consumer: () => fake } as unknown as Kafka,
      stage: 'transformer',
      groupId: 'g',
      topics: ['t'],
      deadLetters: { publish: async (dl) => void deadLetters.push(dl) },
      logger: createSilentLogger(),
      onMessageHandled: (event) => void handled.push(event),
      ...options,
    });
    const feedMany = (messages: Fed[]) =>
      eachBatch!({
        batch: { topic: 't', partition: 1, messages: messages.map((m) => ({ key: null, value: Buffer.from(`m${m.offset}`), headers: {}, ...m, timestamp: '0', attributes: 0 })) },
        isRunning: () => true,
        isStale: () => false,
        heartbeat,
        pause: () => () => undefined,
        resolveOffset: (offset: string) => void resolved.push(offset),
      } as unknown as EachBatchPayload);
    const feed = (message: Fed) => feedMany([message]);
    return { consumer, feed, feedMany, commits, resolved, deadLetters, handled };
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

  it('retries a transient failure with backoff and leaves no listener behind on the message signal', async () => {
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
    await feed({ offset: '0', value: Buffer.from('flaky') });
    expect(attempts).toBe(4);
    expect(commits).toEqual([{ topic: 't', partition: 1, offset: '1' }]);
    expect(getEventListeners(signal!, 'abort')).toHaveLength(0);
  });

  describe('revocation by a rebalance', () => {
    it('never rejects the handler\'s heartbeat: a rebalance answer aborts the message signal, and the message is abandoned uncommitted', async () => {
      const seen: Array<{ aborted: boolean; reason: unknown }> = [];
      let calls = 0;
      const rebalance = createErrorFromCode(REBALANCE_IN_PROGRESS);
      const { consumer, feed, commits, deadLetters, handled } = setUp<string>({
        decode: async (value) => value!.toString(),
        heartbeat: async () => {
          throw rebalance;
        },
        handle: async (_message, context) => {
          calls++;
          await context.heartbeat();
          seen.push({ aborted: context.signal.aborted, reason: context.signal.reason });
          context.signal.throwIfAborted();
        },
      });
      await consumer.start();
      await feed({ offset: '5' });
      expect(seen).toEqual([{ aborted: true, reason: rebalance }]);
      expect(calls).toBe(1);
      expect(commits).toEqual([]);
      expect(deadLetters).toEqual([]);
      expect(handled).toMatchObject([{ offset: '5', outcome: 'abandoned', attempts: 1 }]);
    });

    it('abandons whatever the handler ends with once revoked: a permanent error is not dead-lettered, a success is not committed', async () => {
      for (const ending of ['throws', 'returns'] as const) {
        const { consumer, feedMany, commits, deadLetters, handled } = setUp<string>({
          decode: async (value) => value!.toString(),
          heartbeat: async () => {
            throw createErrorFromCode(ILLEGAL_GENERATION);
          },
          handle: async (_message, context) => {
            await context.heartbeat();
            if (ending === 'throws') throw new EtlError('VALIDATION_FAILED', 'half-written input');
          },
        });
        await consumer.start();
        await feedMany([{ offset: '0' }, { offset: '1' }]);
        expect(commits).toEqual([]);
        expect(deadLetters).toEqual([]);
        // the batch ends at the revoked message: kafkajs rejoins, the next owner starts from it
        expect(handled).toMatchObject([{ offset: '0', outcome: 'abandoned' }]);
      }
    });

    it('stops retrying when the keep-alive heartbeat learns of the rebalance during a backoff', async () => {
      let rebalancing = false;
      let attempts = 0;
      const { consumer, feed, commits, deadLetters, handled } = setUp<string>({
        decode: async (value) => value!.toString(),
        heartbeatIntervalMs: 5,
        heartbeat: async () => {
          if (rebalancing) throw createErrorFromCode(REBALANCE_IN_PROGRESS);
        },
        handle: async () => {
          attempts++;
          rebalancing = true;
          throw new EtlError('DATABASE_UNAVAILABLE', 'restarting');
        },
        // a backoff far longer than the test: only the revocation ends it
        backoff: { initialMs: 600_000, maxMs: 600_000, factor: 1 },
      });
      await consumer.start();
      await feed({ offset: '0' });
      expect(attempts).toBe(1);
      expect(commits).toEqual([]);
      expect(deadLetters).toEqual([]);
      expect(handled).toMatchObject([{ outcome: 'abandoned', attempts: 1 }]);
    });

    it('only logs a heartbeat that fails for another reason: the message goes on', async () => {
      const { consumer, feed, commits } = setUp<string>({
        decode: async (value) => value!.toString(),
        heartbeat: async () => {
          throw new KafkaJSConnectionError('Connection timeout');
        },
        handle: async (_message, context) => {
          await context.heartbeat();
          expect(context.signal.aborted).toBe(false);
        },
      });
      await consumer.start();
      await feed({ offset: '0' });
      expect(commits).toEqual([{ topic: 't', partition: 1, offset: '1' }]);
    });

    it('hands kafkajs the bare rebalance answer when a commit fails on one, so its runner rejoins instead of crashing', async () => {
      const rebalance = createErrorFromCode(ILLEGAL_GENERATION);
      const { consumer, feed } = setUp<string>({
        decode: async (value) => value!.toString(),
        handle: async () => undefined,
        // what kafkajs' runner.commitOffsets rejects with: its retrier's wrapper around the broker's answer
        commitOffsets: async () => {
          throw Object.assign(new Error(rebalance.message), { name: 'KafkaJSNonRetriableError', retriable: false, cause: rebalance });
        },
      });
      await consumer.start();
      await expect(feed({ offset: '0' })).rejects.toBe(rebalance);
    });
  });

  it('abandons a message the handler gives up on at shutdown, whatever it throws', async () => {
    let entered: () => void = () => undefined;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const { consumer, feed, commits, deadLetters, handled } = setUp<string>({
      decode: async (value) => value!.toString(),
      handle: async (_message, context) => {
        entered();
        await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
        throw new EtlError('VALIDATION_FAILED', 'cut short');
      },
    });
    await consumer.start();
    const feeding = feed({ offset: '0' });
    await inHandler;
    await consumer.stop();
    await feeding;
    expect(commits).toEqual([]);
    expect(deadLetters).toEqual([]);
    expect(handled).toMatchObject([{ outcome: 'abandoned' }]);
  });

  describe('retry budget', () => {
    it('dead-letters a failure still transient after maxAttempts as RETRIES_EXHAUSTED, with the last error, and commits past it', async () => {
      let attempts = 0;
      const { consumer, feed, commits, deadLetters, handled } = setUp<string>({
        decode: async (value) => value!.toString(),
        handle: async () => {
          attempts++;
          throw new EtlError('DATABASE_UNAVAILABLE', 'database restarting');
        },
        backoff: { initialMs: 1, maxMs: 1, factor: 1 },
        retry: { maxAttempts: 3 },
      });
      await consumer.start();
      await feed({ offset: '8' });
      expect(attempts).toBe(3);
      expect(deadLetters).toHaveLength(1);
      expect(deadLetters[0]).toMatchObject({ errorCode: 'RETRIES_EXHAUSTED', attempts: 3, offset: '8' });
      expect(deadLetters[0]!.errorMessage).toMatch(/^gave up after 3 attempts over 0 s: DATABASE_UNAVAILABLE: database restarting$/);
      expect(commits).toEqual([{ topic: 't', partition: 1, offset: '9' }]);
      expect(handled).toMatchObject([{ outcome: 'dead-lettered', attempts: 3 }]);
    });

    it('gives up on an unknown error once the time budget is spent, whatever attempts are left', async () => {
      let attempts = 0;
      const { consumer, feed, deadLetters, commits } = setUp<string>({
        decode: async (value) => value!.toString(),
        handle: async () => {
          attempts++;
          throw new Error('socket hang up');
        },
        backoff: { initialMs: 10, maxMs: 10, factor: 1 },
        retry: { maxAttempts: 1_000, budgetMs: 50 },
      });
      await consumer.start();
      await feed({ offset: '0' });
      expect(attempts).toBeGreaterThan(1);
      expect(attempts).toBeLessThan(20);
      expect(deadLetters).toMatchObject([{ errorCode: 'RETRIES_EXHAUSTED', attempts }]);
      expect(deadLetters[0]!.errorMessage).toMatch(/^gave up after \d+ attempts over 0 s: Error: socket hang up$/);
      expect(commits).toEqual([{ topic: 't', partition: 1, offset: '1' }]);
    });
  });

  it('takes no new message once maxBatchMs has passed since the batch started, leaving the rest unresolved for the next fetch', async () => {
    let clock = 1_000_000;
    const now = jest.spyOn(Date, 'now').mockImplementation(() => clock);
    try {
      const seen: string[] = [];
      const { consumer, feedMany, commits, resolved } = setUp<string>({
        decode: async (value) => value!.toString(),
        handle: async (message) => {
          seen.push(message.offset);
          clock += 3_000;
        },
        maxBatchMs: 5_000,
      });
      await consumer.start();
      await feedMany(['0', '1', '2', '3'].map((offset) => ({ offset })));
      // 0 at 0 s, 1 at 3 s, none at 6 s
      expect(seen).toEqual(['0', '1']);
      expect(resolved).toEqual(['0', '1']);
      expect(commits).toEqual([
        { topic: 't', partition: 1, offset: '1' },
        { topic: 't', partition: 1, offset: '2' },
      ]);
    } finally {
      now.mockRestore();
    }
  });

  it('reports the oldest message in progress for longer than stuckAfterMs, and none once it is done', async () => {
    let release: () => void = () => undefined;
    let entered: () => void = () => undefined;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const { consumer, feed } = setUp<string>({
      decode: async (value) => value!.toString(),
      handle: () => {
        entered();
        return new Promise<void>((resolve) => (release = resolve));
      },
      stuckAfterMs: 1_000,
    });
    await consumer.start();
    expect(consumer.stuck()).toBeUndefined();
    const feeding = feed({ offset: '42' });
    await inHandler;
    const start = Date.now();
    expect(consumer.stuck(start + 500)).toBeUndefined();
    expect(consumer.stuck(start + 1_500)).toEqual({ topic: 't', partition: 1, offset: '42', sinceMs: expect.any(Number) });
    expect(consumer.stuck(start + 1_500)!.sinceMs).toBeGreaterThanOrEqual(1_500);
    release();
    await feeding;
    expect(consumer.stuck(start + 1_000_000)).toBeUndefined();
  });

  it('calls a message stuck after the retry budget and a minute more, by default', async () => {
    let release: () => void = () => undefined;
    let entered: () => void = () => undefined;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const { consumer, feed } = setUp<string>({
      decode: async (value) => value!.toString(),
      handle: () => {
        entered();
        return new Promise<void>((resolve) => (release = resolve));
      },
      retry: { budgetMs: 10_000 },
    });
    await consumer.start();
    const feeding = feed({ offset: '0' });
    await inHandler;
    const start = Date.now();
    expect(consumer.stuck(start + 69_000)).toBeUndefined();
    expect(consumer.stuck(start + 71_000)).toMatchObject({ offset: '0' });
    release();
    await feeding;
  });
});
