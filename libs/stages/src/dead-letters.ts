import type { DeadLetter } from '@brokered-etl/contracts';
import type { DeadLetterSink } from '@brokered-etl/messaging';
import type { StagingStore } from '@brokered-etl/staging';
import type { RunEventPublisher } from './run-events';
import { noopStageMetrics, type StageMetrics } from './stage.metrics';

/**
 * Every dead letter is kept in staging (for `etl dlq`) and published to etl.dlq;
 * both writes are idempotent by id. Counted once published: the runtime's
 * message-level letters and the transformer's record-level ones both pass here.
 *
 * A message-level letter (a whole trigger, split or chunk, not one record)
 * means records of its run will never arrive: the run is failed with the
 * reason and the letter's id, so it cannot sit `running` forever. Redriving
 * the letter carries the run on (the stages resume it).
 */
export function recordingDeadLetters(sink: DeadLetterSink, staging: StagingStore, metrics: StageMetrics = noopStageMetrics, events?: RunEventPublisher): DeadLetterSink {
  return {
    async publish(deadLetter: DeadLetter) {
      await staging.recordDeadLetter(deadLetter);
      await sink.publish(deadLetter);
      metrics.deadLettered(deadLetter.pipeline, deadLetter.errorCode);
      if (deadLetter.recordIndex !== null || !deadLetter.runId) return;
      const message = `${deadLetter.errorMessage} (at ${deadLetter.stage}; dead letter ${deadLetter.id}: etl dlq show ${deadLetter.id})`;
      await staging.failRun(deadLetter.runId, { code: deadLetter.errorCode, message }, deadLetter.failedAt);
      await events?.emit({ runId: deadLetter.runId, pipeline: deadLetter.pipeline ?? 'unknown', stage: deadLetter.stage, type: 'run.failed', message });
    },
  };
}
