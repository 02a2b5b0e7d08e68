import type { EnrichmentJob, EnrichmentLimits, EnrichmentRequest } from '@brokered-etl/pipeline-kit';
import { sleep } from '@brokered-etl/lifecycle';
import { backoffMs } from './retry-after';
import { attemptCall, type AttemptOutcome } from './service-call';
import type { ServiceLimiter } from './service-limiter';

/**
 * How one call (all its attempts) ended. `deferred` and `pending` are not
 * failures: the chunk's time budget ran out first, so the call is picked up
 * again when the chunk comes back (a pending job is polled, not resubmitted).
 */
export type CallResult =
  | { kind: 'answer'; body: unknown }
  | { kind: 'refused'; reason: string }
  | { kind: 'pending'; jobId: string }
  | { kind: 'deferred' }
  | { kind: 'exhausted'; reason: string; attempts: number };

export interface CallSettings {
  baseUrl: string;
  limiter: ServiceLimiter;
  limits: Pick<EnrichmentLimits, 'timeoutMs' | 'maxAttempts'>;
  /** Aborted on shutdown or revocation: the call stops and the abort propagates. */
  signal: AbortSignal;
  /** No attempt starts, and no wait is begun that would end, after this (Date.now() ms). */
  deadlineAt: number;
  /** Longest wait a Retry-After may ask for. */
  maxRetryAfterMs?: number;
  onAttempt?(outcome: AttemptOutcome, seconds: number): void;
  random?: () => number;
}

export interface CallPlan {
  request: EnrichmentRequest;
  job?: EnrichmentJob;
  /** A job submitted earlier (staged as pending): poll it instead of submitting again. */
  jobId?: string;
}

/**
 * Retries 429 (after its Retry-After), 408, 5xx, timeouts and connection
 * errors with backoff up to maxAttempts; any other 4xx is a refusal. Waits
 * happen outside the limiter, so a backing-off call holds no slot.
 */
export async function callWithRetry(plan: CallPlan, settings: CallSettings): Promise<CallResult> {
  const maxRetryAfterMs = settings.maxRetryAfterMs ?? 60_000;
  let jobId = plan.jobId;
  let failures = 0;
  const postpone = (): CallResult => (jobId ? { kind: 'pending', jobId } : { kind: 'deferred' });
  // waits that would end past the deadline are not begun: the chunk yields instead
  const waitOrPostpone = async (ms: number): Promise<CallResult | undefined> => {
    if (Date.now() + ms > settings.deadlineAt) return postpone();
    if (!(await sleep(ms, settings.signal))) throw settings.signal.reason ?? new Error('aborted');
    return undefined;
  };

  for (;;) {
    if (Date.now() > settings.deadlineAt) return postpone();
    const request = jobId && plan.job ? plan.job.poll(jobId) : plan.request;
    const startedAt = performance.now();
    const outcome = await settings.limiter.run(() => attemptCall(settings.baseUrl, request, settings.limits.timeoutMs, settings.signal));
    settings.onAttempt?.(outcome, (performance.now() - startedAt) / 1000);
    switch (outcome.kind) {
      case 'answer':
        return { kind: 'answer', body: outcome.body };
      case 'refused':
        return { kind: 'refused', reason: outcome.reason };
      case 'accepted': {
        if (!plan.job) return { kind: 'refused', reason: `answered 202 (a job) but the pipeline declares no job polling` };
        if (!jobId) {
          jobId = plan.job.jobIdOf(outcome.body);
          if (!jobId) return { kind: 'refused', reason: 'answered 202 without a job id' };
        }
        failures = 0;
        const postponed = await waitOrPostpone(plan.job.pollEveryMs);
        if (postponed) return postponed;
        continue;
      }
      case 'retry': {
        failures++;
        if (failures >= settings.limits.maxAttempts) return { kind: 'exhausted', reason: outcome.reason, attempts: failures };
        const wait = Math.min(maxRetryAfterMs, outcome.retryAfterMs ?? backoffMs(failures, settings.random));
        const postponed = await waitOrPostpone(wait);
        if (postponed) return postponed;
      }
    }
  }
}
