import type { Logger } from '@brokered-etl/observability';

/**
 * SIGTERM/SIGINT → stop once → exit, for every app. A stage worker's stop
 * finishes or abandons its in-flight batch, commits what is done and leaves
 * its group; the API closes its streams; the scheduler ends its retries.
 * A second signal, or a stop that hangs past graceMs, exits at once: a stage's
 * uncommitted work is redelivered.
 */
export function installShutdown(logger: Logger, stop: () => Promise<void>, graceMs = 10_000): (code: number) => Promise<never> {
  let stopping = false;
  const shutdown = async (code: number): Promise<never> => {
    if (stopping) process.exit(code);
    stopping = true;
    const timer = setTimeout(() => {
      logger.error('shutdown took too long, exiting', { graceMs });
      process.exit(code || 1);
    }, graceMs);
    timer.unref();
    try {
      await stop();
      logger.info('stopped');
    } catch (err) {
      logger.error('error while stopping', { error: (err as Error).message });
      code = code || 1;
    }
    // let winston flush its last lines
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.exit(code);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      logger.info('signal received, shutting down', { signal });
      void shutdown(0);
    });
  }
  return shutdown;
}
