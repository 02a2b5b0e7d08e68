import { EtlError, errorCodeOf, errorMessageOf } from '@brokered-etl/errors';
import { backoffDelay, type BackoffOptions } from './backoff';
import { DEFAULT_RETRY, type RetryOptions } from './stage-consumer.types';

export function retryOptionsOf(retry: Partial<RetryOptions> = {}): RetryOptions {
  return { maxAttempts: Math.max(1, retry.maxAttempts ?? DEFAULT_RETRY.maxAttempts), budgetMs: Math.max(0, retry.budgetMs ?? DEFAULT_RETRY.budgetMs) };
}

/**
 * How long to wait before the attempt after `attempt`, or undefined when the
 * budget is spent. The wait never runs past the budget, so the last attempt
 * happens within it.
 */
export function nextRetryDelay(attempt: number, elapsedMs: number, retry: RetryOptions, backoff: BackoffOptions): number | undefined {
  if (attempt >= retry.maxAttempts || elapsedMs >= retry.budgetMs) return undefined;
  return Math.min(backoffDelay(attempt, backoff), retry.budgetMs - elapsedMs);
}

/** The dead letter's reason once the budget is spent: the last error stays the cause, its code a detail. */
export function retriesExhausted(last: unknown, attempts: number, elapsedMs: number): EtlError {
  const lastCode = errorCodeOf(last);
  return new EtlError('RETRIES_EXHAUSTED', `gave up after ${attempts} attempts over ${Math.round(elapsedMs / 1000)} s: ${lastCode}: ${errorMessageOf(last)}`, {
    cause: last,
    details: { lastCode, attempts, elapsedMs: Math.round(elapsedMs) },
  });
}
