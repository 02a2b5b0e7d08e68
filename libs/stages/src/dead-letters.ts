import type { DeadLetter } from '@brokered-etl/contracts';
import type { DeadLetterSink } from '@brokered-etl/messaging';
import type { StagingStore } from '@brokered-etl/staging';

/** Every dead letter is kept in staging (for `etl dlq`) and published to etl.dlq; both writes are idempotent by id. */
export function recordingDeadLetters(sink: DeadLetterSink, staging: StagingStore): DeadLetterSink {
  return {
    async publish(deadLetter: DeadLetter) {
      await staging.recordDeadLetter(deadLetter);
      await sink.publish(deadLetter);
    },
  };
}
