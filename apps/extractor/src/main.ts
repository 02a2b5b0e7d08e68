import { parseEnv } from '@brokered-etl/config';
import { createRootLogger } from '@brokered-etl/observability';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { createExtractHandler } from '@brokered-etl/stages';
import { installShutdown, stageWorkerEnvSchema, startStageWorker } from '@brokered-etl/worker';

/** extractor: RunRequested (etl.runs.trigger) → chunks of raw records (<pipeline>.extracted). */
async function main(): Promise<void> {
  const env = parseEnv(stageWorkerEnvSchema, process.env);
  const logger = createRootLogger({ service: 'extractor', level: env.LOG_LEVEL, format: env.LOG_FORMAT });
  const worker = await startStageWorker({ stage: 'extractor', env, logger, pipelines: PIPELINES, handlerFor: createExtractHandler });
  const shutdown = installShutdown(logger, () => worker.stop());
  void worker.fatal.then(() => shutdown(1));
}

main().catch((err: unknown) => {
  process.stderr.write(`extractor: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
