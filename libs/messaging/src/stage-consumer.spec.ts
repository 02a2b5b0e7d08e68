import type { Kafka } from 'kafkajs';
import { createSilentLogger } from '@brokered-etl/observability';
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
