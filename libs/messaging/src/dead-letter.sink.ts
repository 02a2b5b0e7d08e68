import { deadLetterSchema, valueSubject, type DeadLetter } from '@brokered-etl/contracts';
import type { AvroRegistry } from './schema-registry';
import type { MessageProducer } from './producer';

export interface DeadLetterSink {
  publish(deadLetter: DeadLetter): Promise<void>;
}

/** Publishes dead letters as Avro to the DLQ topic, keyed by run so one run's letters stay in order. */
export async function createDeadLetterSink(deps: { registry: AvroRegistry; producer: MessageProducer; topic: string }): Promise<DeadLetterSink> {
  const schemaId = await deps.registry.ensureSchema(valueSubject(deps.topic), deadLetterSchema);
  return {
    async publish(deadLetter) {
      const value = await deps.registry.encode(schemaId, deadLetter);
      await deps.producer.send(deps.topic, [{ key: deadLetter.runId ?? deadLetter.id, value, headers: { 'etl-dead-letter-id': deadLetter.id } }]);
    },
  };
}
