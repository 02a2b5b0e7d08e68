import { parseEnv } from '@brokered-etl/config';
import { installShutdown } from '@brokered-etl/lifecycle';
import { createRootLogger } from '@brokered-etl/observability';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { connectRunControl } from '@brokered-etl/run-control';
import { createScheduler, loadSchedules, schedulerEnvSchema } from '@brokered-etl/scheduling';

/** scheduler: cron ticks from ETL_SCHEDULES → RunRequested (etl.runs.trigger), one run id per tick. */
async function main(): Promise<void> {
  const env = parseEnv(schedulerEnvSchema, process.env);
  const schedules = loadSchedules(env.ETL_SCHEDULES, PIPELINES);
  const logger = createRootLogger({ service: 'scheduler', level: env.LOG_LEVEL, format: env.LOG_FORMAT });
  const connected = await connectRunControl({ ...env, KAFKA_CLIENT_ID: env.KAFKA_CLIENT_ID ?? 'etl-scheduler' }, logger, PIPELINES.map((p) => p.name));
  const scheduler = createScheduler({
    schedules,
    trigger: (request) => connected.control.trigger(request),
    logger,
    catchUpMs: env.ETL_SCHEDULER_CATCH_UP_SECONDS * 1000,
    maxCatchUpTicks: env.ETL_SCHEDULER_MAX_CATCH_UP_TICKS,
  });
  scheduler.start();
  installShutdown(logger, async () => {
    await scheduler.stop();
    await connected.close();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`scheduler: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
