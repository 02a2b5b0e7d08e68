import type { StageName } from '@brokered-etl/contracts';
import { parseEnv, secretsOf } from '@brokered-etl/config';
import { installShutdown } from '@brokered-etl/lifecycle';
import { createRootLogger, redactSecrets, registerSecrets } from '@brokered-etl/observability';
import type { AnyPipeline } from '@brokered-etl/pipeline-kit';
import { startStageWorker, type StageWorkerOptions } from './stage-worker';
import { stageWorkerEnvSchema } from './worker.config';

/**
 * The whole life of a stage app: env parsed once, root logger, worker started,
 * shutdown on SIGTERM/SIGINT, exit 1 on a fatal error or a failed start.
 * The three stage apps differ only in the stage and its handler.
 */
export function runStageApp(stage: StageName, pipelines: readonly AnyPipeline[], handlerFor: StageWorkerOptions['handlerFor']): void {
  const main = async () => {
    const env = parseEnv(stageWorkerEnvSchema, process.env);
    registerSecrets(secretsOf(env));
    const logger = createRootLogger({ service: stage, level: env.LOG_LEVEL, format: env.LOG_FORMAT });
    const worker = await startStageWorker({ stage, env, logger, pipelines, handlerFor });
    const shutdown = installShutdown(logger, () => worker.stop(), env.SHUTDOWN_GRACE_MS);
    void worker.fatal.then(() => shutdown(1));
  };
  main().catch((err: unknown) => {
    process.stderr.write(`${stage}: cannot start: ${redactSecrets(err instanceof Error ? err.message : String(err))}\n`);
    process.exit(1);
  });
}
