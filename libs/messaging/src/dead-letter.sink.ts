import { HEADERS, type DeadLetter } from '@brokered-etl/contracts';
import { errorCodeOf, errorMessageOf } from '@brokered-etl/errors';
import type { AvroRegistry } from './schema-registry';
import type { MessageEnvelope } from './message.types';
import type { MessageProducer } from './producer';

export interface DeadLetterSink {
  publish(deadLetter: DeadLetter): Promise<void>;
}

/**
 * Publishes dead letters as Avro to the DLQ topic, keyed by run so one run's
 * letters stay in order. schemaId is the dead-letter schema's id, registered
 * with the app's other schemas at start-up.
 */
export function createDeadLetterSink(deps: { registry: AvroRegistry; producer: MessageProducer; topic: string; schemaId: number }): DeadLetterSink {
  return {
    async publish(deadLetter) {
      const value = await deps.registry.encode(deps.schemaId, deadLetter);
      await deps.producer.send(deps.topic, [{ key: deadLetter.runId ?? deadLetter.id, value, headers: { 'etl-dead-letter-id': deadLetter.id } }]);
    },
  };
}

/**
 * The dead letter of a whole consumed message: its bytes and headers as they
 * arrived (redriving republishes them), its lineage and why it failed. A
 * handler that dead-letters part of a message starts from this and overrides
 * what differs (the transformer's one-record letters).
 */
export function deadLetterOf(stage: string, message: MessageEnvelope, err: unknown, attempts: number, failedAt = new Date()): DeadLetter {
  const chunkSeq = message.headers[HEADERS.chunkSeq];
  return {
    id: `${stage}:${message.topic}:${message.partition}:${message.offset}`,
    runId: message.headers[HEADERS.runId] ?? null,
    pipeline: message.headers[HEADERS.pipeline] ?? null,
    stage,
    errorCode: errorCodeOf(err),
    errorMessage: errorMessageOf(err),
    attempts,
    failedAt,
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: message.key,
    value: message.rawValue,
    headers: message.rawHeaders,
    chunkSeq: chunkSeq === undefined ? null : Number(chunkSeq),
    recordIndex: null,
    record: null,
  };
}
