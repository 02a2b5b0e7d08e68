import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Logger } from '@brokered-etl/observability';
import { producerStateErrorOf, sendErrorOf } from './kafka.errors';
import type { OutboundMessage } from './message.types';

export interface MessageProducer {
  /**
   * Resolves once every replica in sync has the messages (acks=all). Rejects with
   * BROKER_UNAVAILABLE (transient), MESSAGE_TOO_LARGE or BROKER_REJECTED
   * (permanent); an error that is not kafkajs' own passes through unknown.
   */
  send(topic: string, messages: OutboundMessage[]): Promise<void>;
  sendRaw(topic: string, messages: Array<{ key: Buffer | string | null; value: Buffer | null; headers?: Record<string, Buffer | string> }>): Promise<void>;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

type RawMessages = Parameters<MessageProducer['sendRaw']>[1];

/**
 * acks=all: a send resolves only once every in-sync replica has it, so with
 * min.insync.replicas 2 of 3 a broker lost after the ack loses nothing.
 *
 * Idempotent (kafkajs 2.2.4 `idempotent: true`, marked experimental there):
 * a batch kafkajs retries after a lost answer (the broker wrote it, then died
 * or timed out) is written once, not twice, because the broker drops a
 * repeated producer id + sequence. Downstream ids absorb duplicates anyway;
 * this keeps failovers from multiplying them. Four things make it safe here:
 * - `maxInFlightRequests: 1`: one request per broker connection at a time,
 *   what KIP-98 asks of an idempotent producer (kafkajs does not enforce it).
 * - One send at a time through this producer: kafkajs hands a failed batch's
 *   sequence numbers back and the next batch to that partition takes them; a
 *   concurrent send in between would take the failed batch's sequence, and if
 *   the broker had written the failed batch it would drop the new one as a
 *   duplicate while acknowledging it: a silent loss. Serialised, the retry
 *   reuses the sequence for the same messages.
 * - One message per kafkajs send, so one partition and one leader: kafkajs
 *   2.2.4 keeps the answers of brokers that succeeded across its retries, and
 *   when a failed partition's new leader is one of them it never resends that
 *   partition, yet resolves (tulios/kafkajs#1303: a silent loss). Only the
 *   plan's window of splits sends more than one message at a time.
 * - kafkajs never renews its producer id: after OUT_OF_ORDER_SEQUENCE_NUMBER or
 *   UNKNOWN_PRODUCER_ID (a leader without this producer's state) it would fail
 *   every later send. The producer is replaced and the send reported transient.
 * Retries stay bounded (the client's, not kafkajs' unbounded idempotent
 * default; it warns once about that) so a send returns within the stage's
 * retry budget.
 */
export function createMessageProducer(kafka: Kafka, options: { logger?: Logger } = {}): MessageProducer {
  const build = (): Producer =>
    kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
  let producer = build();
  /** connect() was called and disconnect() not since. */
  let wanted = false;
  /** The current producer instance is connected (a replacement may not be yet). */
  let ready = false;
  let queue: Promise<unknown> = Promise.resolve();

  const serialised = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  async function replace(reason: string): Promise<void> {
    options.logger?.warn('idempotent producer lost its sequence: replacing it', { kafkaError: reason });
    const old = producer;
    producer = build();
    ready = false;
    await old.disconnect().catch(() => undefined);
  }

  const sendRaw = (topic: string, messages: RawMessages): Promise<void> =>
    serialised(async () => {
      if (messages.length === 0) return;
      let sending: RawMessages[number] | undefined;
      try {
        // a replacement connects here, inside the send, so a failure is classed like the send's own
        if (wanted && !ready) {
          await producer.connect();
          ready = true;
        }
        for (const message of messages) {
          sending = message;
          await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages: [message] });
        }
      } catch (cause) {
        const stateError = producerStateErrorOf(cause);
        if (stateError) await replace(stateError);
        throw sendErrorOf(topic, sending ? [sending] : messages, cause);
      }
    });

  return {
    send: (topic, messages) => sendRaw(topic, messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers }))),
    sendRaw,
    connect: () =>
      serialised(async () => {
        wanted = true;
        await producer.connect();
        ready = true;
      }),
    disconnect: () =>
      serialised(async () => {
        wanted = ready = false;
        await producer.disconnect();
      }),
  };
}
