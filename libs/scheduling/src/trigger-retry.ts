import { classify, errorCodeOf, errorMessageOf } from '@brokered-etl/errors';
import { sleep } from '@brokered-etl/lifecycle';
import type { Logger } from '@brokered-etl/observability';
import type { ScheduledTriggerRequest, TriggerFn } from './schedule.types';

export interface RetryPolicy {
  /** First pause after a failed trigger; doubles per attempt up to maxMs. */
  initialMs: number;
  maxMs: number;
  /** A tick is retried until its schedule's next tick, and for at least this long. */
  minWindowMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialMs: 500, maxMs: 10_000, minWindowMs: 30_000 };

export type TriggerOutcome = 'requested' | 'rejected' | 'gave-up' | 'stopped';

/**
 * Produces one tick's RunRequested, retrying transient failures (broker or
 * registry away) with backoff until `deadline`. Retrying is safe because the
 * run id is the tick's: a request that did reach Kafka before its error is
 * only repeated, never doubled. A request refused for good is not retried.
 */
export async function triggerWithRetry(
  request: ScheduledTriggerRequest,
  options: { trigger: TriggerFn; deadline: number; policy: RetryPolicy; signal: AbortSignal; log: Logger; fields: Record<string, unknown> },
): Promise<TriggerOutcome> {
  const { log, fields } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      await options.trigger(request);
      log.info('run requested', { ...fields, attempt });
      return 'requested';
    } catch (err) {
      const code = errorCodeOf(err);
      if (classify(err) !== 'retry') {
        log.error('run request refused, tick dropped', { ...fields, attempt, code, error: errorMessageOf(err) });
        return 'rejected';
      }
      const waitMs = Math.min(options.policy.initialMs * 2 ** (attempt - 1), options.policy.maxMs);
      if (Date.now() + waitMs > options.deadline) {
        log.error('run request failed until the retry deadline, tick lost', { ...fields, attempt, code, error: errorMessageOf(err), deadline: new Date(options.deadline).toISOString() });
        return 'gave-up';
      }
      log.warn('run request failed, retrying', { ...fields, attempt, code, error: errorMessageOf(err), retryInMs: waitMs });
      if (!(await sleep(waitMs, options.signal))) {
        log.warn('scheduler stopping, tick abandoned', { ...fields, attempt });
        return 'stopped';
      }
    }
  }
}
