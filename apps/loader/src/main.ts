import { parseEnv } from '@brokered-etl/config';
import { createRootLogger } from '@brokered-etl/observability';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { createLoadHandler } from '@brokered-etl/stages';
import { installShutdown, stageWorkerEnvSchema, startStageWorker } from '@brokered-etl/worker';

/** loader: transformed chunks → idempotent upserts into the target collection; completes runs. */
async function main(): Promise<void> {
  const env = parseEnv(stageWorkerEnvSchema, process.env);
  const logger = createRootLogger({ service: 'loader', level: env.LOG_LEVEL, format: env.LOG_FORMAT });
  const worker = await startStageWorker({ stage: 'loader', env, logger, pipelines: PIPELINES, handlerFor: createLoadHandler });
  const shutdown = installShutdown(logger, () => worker.stop());
  void worker.fatal.then(() => shutdown(1));
}

main().catch((err: unknown) => {
  process.stderr.write(`loader: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
