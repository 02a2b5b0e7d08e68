import type { Logger } from '@brokered-etl/observability';

/**
 * SIGTERM/SIGINT → stop once → exit; a second signal, or a stop that hangs
 * past graceMs, exits at once. The same contract as the stage apps'
 * installShutdown (libs/worker), kept here so the scheduler does not pull in
 * the stage runtime (consumers, handlers) for twenty lines.
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
