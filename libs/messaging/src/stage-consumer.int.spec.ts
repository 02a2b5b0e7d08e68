import { createSilentLogger } from '@brokered-etl/observability';
import { integrationEnv, uniqueName, waitFor } from '@brokered-etl/testing';
import type { DeadLetter } from '@brokered-etl/contracts';
import { EtlError } from '@brokered-etl/errors';
import { sleep } from '@brokered-etl/lifecycle';
import { createKafkaClient, createMessageProducer, createStageConsumer, ensureTopics, readGroupOffsets, type MessageHandledEvent, type StageConsumer } from './index';

describe('stage consumer runtime (real Kafka)', () => {
  const env = integrationEnv();
  const logger = createSilentLogger();
  const kafka = createKafkaClient({ brokers: env.kafkaBrokers, clientId: 'it-runtime', logger });

  it('keeps its session through a handler slower than the session timeout: no rebalance, no redelivery', async () => {
    const topic = uniqueName('it.slow');
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const producer = createMessageProducer(kafka);
    await producer.connect();
    await producer.sendRaw(topic, ['a', 'b', 'c'].map((v) => ({ key: v, value: Buffer.from(v) })));
    await producer.disconnect();

    const handled: string[] = [];
    const deadLetters: DeadLetter[] = [];
    const consumer = createStageConsumer<string>({
      kafka,
      stage: 'slow-test',
      groupId: uniqueName('it.slow-group'),
      topics: [topic],
      decode: async (value) => value!.toString(),
      // a deliberately slow third party: 10 s for the first message, session timeout 6 s
      handle: async (message) => {
        if (message.value === 'a') await new Promise((resolve) => setTimeout(resolve, 10_000));
        handled.push(message.value);
      },
      deadLetters: { publish: async (dl) => void deadLetters.push(dl) },
      logger,
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 1_000,
    });
    await consumer.start();
    try {
      await waitFor('three handled messages', () => handled.length === 3, 40_000);
      // long enough for an expired session to show up as a rejoin and a redelivery
      await new Promise((resolve) => setTimeout(resolve, 7_000));
      expect(handled).toEqual(['a', 'b', 'c']);
      expect(consumer.stats()).toEqual({ joins: 1, rebalances: 0 });
      expect(deadLetters).toEqual([]);
    } finally {
      await consumer.stop();
    }
  });

  it('retries a transient failure without skipping, and dead-letters a permanent one while the partition moves on', async () => {
    const topic = uniqueName('it.retry');
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const producer = createMessageProducer(kafka);
    await producer.connect();
    await producer.sendRaw(topic, ['flaky', 'poison', 'fine'].map((v) => ({ key: v, value: Buffer.from(v) })));
    await producer.disconnect();

    let flakyAttempts = 0;
    const handled: string[] = [];
    const deadLetters: DeadLetter[] = [];
    const consumer = createStageConsumer<string>({
      kafka,
      stage: 'retry-test',
      groupId: uniqueName('it.retry-group'),
      topics: [topic],
      decode: async (value) => value!.toString(),
      handle: async (message) => {
        if (message.value === 'flaky' && ++flakyAttempts < 3) throw new EtlError('DATABASE_UNAVAILABLE', 'database restarting');
        if (message.value === 'poison') throw new EtlError('VALIDATION_FAILED', 'cannot be processed, ever');
        handled.push(message.value);
      },
      deadLetters: { publish: async (dl) => void deadLetters.push(dl) },
      logger,
      backoff: { initialMs: 50, maxMs: 200, factor: 2 },
    });
    await consumer.start();
    try {
      await waitFor('flaky and fine handled', () => handled.length === 2, 30_000);
      expect(handled).toEqual(['flaky', 'fine']);
      expect(flakyAttempts).toBe(3);
      expect(deadLetters).toHaveLength(1);
      expect(deadLetters[0]).toMatchObject({ stage: 'retry-test', errorCode: 'VALIDATION_FAILED', topic, partition: 0, offset: '1', attempts: 1 });
      expect(deadLetters[0]!.value!.toString()).toBe('poison');
    } finally {
      await consumer.stop();
    }
  });

  it('ends a long handler cleanly when a second member joins: signal aborted, nothing committed, the message done once by its next owner', async () => {
    const topic = uniqueName('it.revoke');
    const groupId = uniqueName('it.revoke-group');
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const producer = createMessageProducer(kafka);
    await producer.connect();
    await producer.sendRaw(topic, [{ key: 'split-0', value: Buffer.from('split-0') }]);
    await producer.disconnect();

    const starts: string[] = [];
    const aborted: Array<{ member: string; reason: string }> = [];
    const completed: string[] = [];
    const handled: Array<MessageHandledEvent & { member: string }> = [];
    const member = (name: string): StageConsumer =>
      createStageConsumer<string>({
        kafka,
        stage: 'revoke-test',
        groupId,
        topics: [topic],
        decode: async (value) => value!.toString(),
        // the first run is a long split (up to a minute of 100 ms steps); a redo takes a few steps
        handle: async (_message, context) => {
          const steps = starts.push(name) === 1 ? 600 : 5;
          for (let step = 0; step < steps; step++) {
            await context.heartbeat();
            if (context.signal.aborted) {
              aborted.push({ member: name, reason: (context.signal.reason as { type?: string }).type ?? String(context.signal.reason) });
              context.signal.throwIfAborted();
            }
            await sleep(100, context.signal);
          }
          completed.push(name);
        },
        deadLetters: { publish: async () => undefined },
        logger,
        sessionTimeoutMs: 6_000,
        heartbeatIntervalMs: 500,
        onMessageHandled: (event) => void handled.push({ ...event, member: name }),
      });

    const a = member('A');
    const b = member('B');
    const startedAt = Date.now();
    await a.start();
    try {
      await waitFor('A busy with the split', () => starts.length === 1, 30_000);
      await b.start();
      await waitFor('the split done once', () => completed.length === 1, 45_000);
      await waitFor('its offset committed', async () => (await readGroupOffsets(kafka, groupId, [topic]))[0]?.offset === '1', 15_000);

      // REBALANCE_IN_PROGRESS as a rule; a member evicted meanwhile (a starved CI box) hears UNKNOWN_MEMBER_ID
      expect(aborted).toEqual([{ member: 'A', reason: expect.stringMatching(/^(REBALANCE_IN_PROGRESS|ILLEGAL_GENERATION|UNKNOWN_MEMBER_ID)$/) }]);
      expect(handled[0]).toMatchObject({ member: 'A', offset: '0', outcome: 'abandoned', attempts: 1 });
      expect(handled.filter((e) => e.outcome === 'processed')).toHaveLength(1);
      expect(handled.filter((e) => e.outcome === 'dead-lettered')).toEqual([]);
      expect(starts).toHaveLength(2);
      expect(completed).toEqual([starts[1]]);
      // the rebalance waited for A's prompt return, not for the rebalance timeout (60 s) or the long split
      expect(Date.now() - startedAt).toBeLessThan(55_000);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
