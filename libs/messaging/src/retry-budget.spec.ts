import { EtlError } from '@brokered-etl/errors';
import { nextRetryDelay, retriesExhausted, retryOptionsOf } from './retry-budget';
import { DEFAULT_RETRY } from './stage-consumer.types';

describe('retry budget', () => {
  const backoff = { initialMs: 1_000, maxMs: 8_000, factor: 2 };

  it('defaults to 50 attempts over 5 minutes, either bound given alone', () => {
    expect(DEFAULT_RETRY).toEqual({ maxAttempts: 50, budgetMs: 300_000 });
    expect(retryOptionsOf()).toEqual(DEFAULT_RETRY);
    expect(retryOptionsOf({ maxAttempts: 3 })).toEqual({ maxAttempts: 3, budgetMs: 300_000 });
  });

  it('waits with backoff until either bound is hit, never past the time budget', () => {
    const retry = { maxAttempts: 5, budgetMs: 10_000 };
    expect(nextRetryDelay(1, 0, retry, backoff)).toBeGreaterThanOrEqual(500);
    expect(nextRetryDelay(4, 9_500, retry, backoff)).toBeLessThanOrEqual(500);
    expect(nextRetryDelay(5, 0, retry, backoff)).toBeUndefined();
    expect(nextRetryDelay(2, 10_000, retry, backoff)).toBeUndefined();
  });

  it('keeps the last error as cause and its code as a detail', () => {
    const last = new EtlError('BROKER_UNAVAILABLE', 'no leader');
    const exhausted = retriesExhausted(last, 12, 301_400);
    expect(exhausted).toMatchObject({ code: 'RETRIES_EXHAUSTED', retriable: false, cause: last, details: { lastCode: 'BROKER_UNAVAILABLE', attempts: 12, elapsedMs: 301_400 } });
    expect(exhausted.message).toBe('gave up after 12 attempts over 301 s: BROKER_UNAVAILABLE: no leader');
  });
});
