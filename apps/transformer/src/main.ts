import { parseEnv } from '@brokered-etl/config';
import { createRootLogger } from '@brokered-etl/observability';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { createTransformHandler } from '@brokered-etl/stages';
import { installShutdown, stageWorkerEnvSchema, startStageWorker } from '@brokered-etl/worker';

/** transformer: extracted chunks → validated, enriched chunks (<pipeline>.transformed); bad records → etl.dlq. */
async function main(): Promise<void> {
  const env = parseEnv(stageWorkerEnvSchema, process.env);
  const logger = createRootLogger({ service: 'transformer', level: env.LOG_LEVEL, format: env.LOG_FORMAT });
  const worker = await startStageWorker({ stage: 'transformer', env, logger, pipelines: PIPELINES, handlerFor: createTransformHandler });
  const shutdown = installShutdown(logger, () => worker.stop());
  void worker.fatal.then(() => shutdown(1));
}

main().catch((err: unknown) => {
  process.stderr.write(`transformer: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
