import { classify, errorCodeOf, errorMessageOf } from '@brokered-etl/errors';
import { sleep } from '@brokered-etl/lifecycle';
import { backoffDelay, DEFAULT_BACKOFF } from '@brokered-etl/messaging';
import type { Logger } from '@brokered-etl/observability';

/**
 * A dependency that is away at start-up (broker, registry, database
 * restarting) is waited for, with backoff, up to `budgetMs`: the worker stays
 * alive and unready meanwhile, as it would mid-run, instead of exiting into a
 * supervisor's crash loop. Permanent errors (an incompatible schema, refused
 * credentials) still fail the start at once.
 */
export async function untilAvailable<T>(what: string, work: () => Promise<T>, options: { logger: Logger; budgetMs: number; onWaiting?(reason: string): void }): Promise<T> {
  const startedAt = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const waited = Date.now() - startedAt;
      if (classify(err) !== 'retry' || waited >= options.budgetMs) throw err;
      const wait = Math.min(backoffDelay(attempt, DEFAULT_BACKOFF), options.budgetMs - waited);
      const reason = `starting: waiting for ${what} (${errorCodeOf(err)}: ${errorMessageOf(err)})`;
      options.onWaiting?.(reason);
      options.logger.warn('dependency not available yet, waiting', { dependency: what, attempt, retryInMs: wait, code: errorCodeOf(err), error: errorMessageOf(err) });
      await sleep(wait, new AbortController().signal);
    }
  }
}
