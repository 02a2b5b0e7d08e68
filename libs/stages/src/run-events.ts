import type { RunEvent, TopicNames } from '@brokered-etl/contracts';
import type { AvroRegistry, MessageProducer } from '@brokered-etl/messaging';

export interface RunEventPublisher {
  emit(event: Omit<RunEvent, 'at' | 'chunkSeq' | 'records' | 'rejected' | 'message'> & Partial<RunEvent>): Promise<void>;
}

export function createRunEventPublisher(deps: { registry: AvroRegistry; producer: MessageProducer; topics: TopicNames; schemaId: number }): RunEventPublisher {
  return {
    async emit(event) {
      const full: RunEvent = { at: new Date(), chunkSeq: null, records: null, rejected: null, message: null, ...event };
      const value = await deps.registry.encode(deps.schemaId, full);
      // keyed by run: one run's events stay in order on one partition
      await deps.producer.send(deps.topics.events, [{ key: full.runId, value }]);
    },
  };
}
