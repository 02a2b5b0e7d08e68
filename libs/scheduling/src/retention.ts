import type { Logger } from '@brokered-etl/observability';
import { pruneOptionsOf, type PruneOptions, type PruneResult } from '@brokered-etl/staging';

export interface RetentionPolicy {
  olderThan: string;
  payloadsOlderThan?: string;
  keepFailed?: boolean;
}

export interface RetentionOptions {
  policy: RetentionPolicy;
  everyMs: number;
  /** Run control's pruneRuns in the app. */
  prune(options: PruneOptions): Promise<PruneResult>;
  logger: Logger;
  now?: () => Date;
}

/**
 * The scheduler's optional retention: prunes at start and then every
 * `everyMs`. A failed prune is logged and tried again next time (the next
 * prune finishes what one stopped half way through), never fatal.
 */
export function startRetention(options: RetentionOptions): { stop(): Promise<void> } {
  const log = options.logger.child({ module: 'retention' });
  const now = options.now ?? (() => new Date());
  let running: Promise<void> = Promise.resolve();
  const sweep = () => {
    running = (async () => {
      try {
        const result = await options.prune(pruneOptionsOf(options.policy, now()));
        log.info('retention applied', { ...options.policy, pruned: result.pruned.length, payloadsExpired: result.payloadsExpired.length });
      } catch (err) {
        log.warn('retention failed; tried again next time', { error: (err as Error).message, code: (err as { code?: string }).code });
      }
    })();
  };
  sweep();
  const timer = setInterval(sweep, options.everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
