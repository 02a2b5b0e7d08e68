import type { Logger } from '@brokered-etl/observability';
import type { StagingStore } from '@brokered-etl/staging';
import type { RunEventPublisher } from './run-events';

export interface StallWatchdogOptions {
  staging: StagingStore;
  events: RunEventPublisher;
  logger: Logger;
  /** A run with no progress for this long is marked stalled. */
  stallAfterMs: number;
  /** How often to look. */
  intervalMs: number;
  stage: string;
  now?: () => Date;
}

/**
 * Marks open runs that stopped moving `stalled`, with the last stage that
 * moved them, so a stuck run is visible in the CLI, API and console instead
 * of reading `running` forever. Every worker runs one; the status filter in
 * staging makes concurrent watchdogs harmless.
 */
export function startStallWatchdog(options: StallWatchdogOptions): { stop(): void } {
  const now = options.now ?? (() => new Date());
  const log = options.logger.child({ module: 'stall-watchdog', stage: options.stage });
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void check().finally(() => (running = false));
  }, options.intervalMs);
  timer.unref();

  async function check(): Promise<void> {
    try {
      const at = now();
      for (const run of await options.staging.markStalledRuns(new Date(at.getTime() - options.stallAfterMs), at)) {
        log.warn('run stalled', { runId: run.runId, pipeline: run.pipeline, stalledStage: run.stall?.stage, reason: run.stall?.reason });
        await options.events.emit({ runId: run.runId, pipeline: run.pipeline, stage: options.stage, type: 'run.stalled', message: run.stall?.reason ?? null });
      }
    } catch (err) {
      // the next look tries again; a database that is away is the workers' own health to report
      log.warn('stall check failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  return { stop: () => clearInterval(timer) };
}
