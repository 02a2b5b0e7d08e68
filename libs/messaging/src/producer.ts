import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';
import { sendErrorOf } from './kafka.errors';
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

export function createMessageProducer(kafka: Kafka): MessageProducer {
  // Not kafkajs' experimental idempotent mode: duplicates from a producer retry
  // are absorbed downstream by deterministic ids, as redeliveries are.
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });

  async function sendRaw(topic: string, messages: Parameters<MessageProducer['sendRaw']>[1]): Promise<void> {
    if (messages.length === 0) return;
    try {
      await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages });
    } catch (cause) {
      throw sendErrorOf(topic, messages, cause);
    }
  }

  return {
    send: (topic, messages) => sendRaw(topic, messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers }))),
    sendRaw,
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
  };
}
