import type { Kafka } from 'kafkajs';
import { createMessageProducer } from './producer';

// kafkajs' own error table, so the errors are the ones it really throws
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode(code: number): Error };

interface FakeProducer {
  config: Record<string, unknown>;
  sends: Array<{ topic: string; acks: number; count: number }>;
  connected: boolean;
  fail?: Error;
}

/** A kafkajs client whose producers record what they are asked; each send takes a turn of the event loop. */
function fakeKafka() {
  const producers: FakeProducer[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const kafka = {
    producer(config: Record<string, unknown>) {
      const state: FakeProducer = { config, sends: [], connected: false };
      producers.push(state);
      return {
        connect: async () => void (state.connected = true),
        disconnect: async () => void (state.connected = false),
        async send(request: { topic: string; acks: number; messages: unknown[] }) {
          if (!state.connected) throw new Error('The producer is disconnected');
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight--;
          const fail = state.fail;
          state.fail = undefined;
          if (fail) throw fail;
          state.sends.push({ topic: request.topic, acks: request.acks, count: request.messages.length });
        },
      };
    },
  } as unknown as Kafka;
  return { kafka, producers, maxInFlight: () => maxInFlight };
}

const message = { key: 'k', value: Buffer.from('v') };

describe('createMessageProducer', () => {
  it('is idempotent, one request in flight per connection, acks=all', async () => {
    const { kafka, producers } = fakeKafka();
    const producer = createMessageProducer(kafka);
    await producer.connect();
    await producer.send('t', [message]);
    expect(producers[0]!.config).toMatchObject({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    expect(producers[0]!.sends).toEqual([{ topic: 't', acks: -1, count: 1 }]);
  });

  it('sends one batch at a time, so a failed batch never hands its sequence to a concurrent one', async () => {
    const { kafka, maxInFlight, producers } = fakeKafka();
    const producer = createMessageProducer(kafka);
    await producer.connect();
    producers[0]!.fail = createErrorFromCode(7); // REQUEST_TIMED_OUT
    const results = await Promise.allSettled(['a', 'b', 'c', 'd'].map((topic) => producer.send(topic, [message])));
    expect(maxInFlight()).toBe(1);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(producers[0]!.sends.map((s) => s.topic)).toEqual(['b', 'c', 'd']);
  });

  it('gives kafkajs one message per send, so a retry after a leader change cannot skip a partition', async () => {
    const { kafka, producers } = fakeKafka();
    const producer = createMessageProducer(kafka);
    await producer.connect();
    await producer.send('t', [message, { key: 'k2', value: Buffer.from('v2') }, { key: 'k3', value: Buffer.from('v3') }]);
    expect(producers[0]!.sends).toEqual([{ topic: 't', acks: -1, count: 1 }, { topic: 't', acks: -1, count: 1 }, { topic: 't', acks: -1, count: 1 }]);
  });

  it('replaces a producer whose sequence the broker lost, reports the send transient, and sends on the new one', async () => {
    const { kafka, producers } = fakeKafka();
    const producer = createMessageProducer(kafka);
    await producer.connect();
    producers[0]!.fail = createErrorFromCode(45); // OUT_OF_ORDER_SEQUENCE_NUMBER
    await expect(producer.send('t', [message])).rejects.toMatchObject({ code: 'BROKER_UNAVAILABLE', retriable: true });
    expect(producers).toHaveLength(2);
    expect(producers[0]!.connected).toBe(false);
    await producer.send('t', [message]);
    expect(producers[1]!.sends).toEqual([{ topic: 't', acks: -1, count: 1 }]);
  });

  it('keeps a producer after other errors', async () => {
    const { kafka, producers } = fakeKafka();
    const producer = createMessageProducer(kafka);
    await producer.connect();
    producers[0]!.fail = createErrorFromCode(19); // NOT_ENOUGH_REPLICAS
    await expect(producer.send('t', [message])).rejects.toMatchObject({ code: 'BROKER_UNAVAILABLE' });
    expect(producers).toHaveLength(1);
  });
});
