import type { DeadLetter } from '@brokered-etl/contracts';
import type { DeadLetterSink } from '@brokered-etl/messaging';
import type { StagingStore } from '@brokered-etl/staging';
import { noopStageMetrics, type StageMetrics } from './stage.metrics';

/**
 * Every dead letter is kept in staging (for `etl dlq`) and published to etl.dlq;
 * both writes are idempotent by id. Counted once published: the runtime's
 * message-level letters and the transformer's record-level ones both pass here.
 */
export function recordingDeadLetters(sink: DeadLetterSink, staging: StagingStore, metrics: StageMetrics = noopStageMetrics): DeadLetterSink {
  return {
    async publish(deadLetter: DeadLetter) {
      await staging.recordDeadLetter(deadLetter);
      await sink.publish(deadLetter);
      metrics.deadLettered(deadLetter.pipeline, deadLetter.errorCode);
    },
  };
}
