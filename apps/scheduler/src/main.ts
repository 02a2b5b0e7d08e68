import { parseEnv, secretsOf } from '@brokered-etl/config';
import { installShutdown } from '@brokered-etl/lifecycle';
import { createMetricsRegistry, createRootLogger, redactSecrets, registerSecrets, createSchedulerMetrics, startOpsServer } from '@brokered-etl/observability';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { connectRunControl } from '@brokered-etl/run-control';
import { createScheduler, loadSchedules, SCHEDULER_OPS_PORT, schedulerEnvSchema, startRetention, type Scheduler } from '@brokered-etl/scheduling';

/** scheduler: cron ticks from ETL_SCHEDULES → RunRequested (etl.runs.trigger), one run id per tick. */
async function main(): Promise<void> {
  const env = parseEnv(schedulerEnvSchema, process.env);
  registerSecrets(secretsOf(env));
  const schedules = loadSchedules(env.ETL_SCHEDULES, PIPELINES);
  const logger = createRootLogger({ service: 'scheduler', level: env.LOG_LEVEL, format: env.LOG_FORMAT });
  // the ops server answers while we connect: it reads the scheduler once there is one
  const state: { scheduler?: Scheduler; stopping: boolean } = { stopping: false };
  const registry = createMetricsRegistry();
  const metrics = createSchedulerMetrics({ registry, nextTicks: () => state.scheduler?.nextTicks() ?? [] });
  const ops = await startOpsServer({
    host: env.OPS_HOST,
    port: env.OPS_PORT,
    defaultPort: SCHEDULER_OPS_PORT,
    logger,
    registry,
    readiness: () =>
      state.scheduler && !state.stopping
        ? { ok: true, schedules: state.scheduler.nextTicks() }
        : { ok: false, reason: state.stopping ? 'stopping' : 'starting: connecting to Kafka, the registry and MongoDB' },
  });
  const connected = await connectRunControl({ ...env, KAFKA_CLIENT_ID: env.KAFKA_CLIENT_ID ?? 'etl-scheduler' }, logger, PIPELINES.map((p) => p.name));
  const scheduler = createScheduler({
    schedules,
    trigger: (request) => connected.control.trigger(request),
    logger,
    catchUpMs: env.ETL_SCHEDULER_CATCH_UP_SECONDS * 1000,
    maxCatchUpTicks: env.ETL_SCHEDULER_MAX_CATCH_UP_TICKS,
    onTickSettled: ({ schedule, outcome }) => metrics.tickSettled(schedule, outcome),
  });
  scheduler.start();
  state.scheduler = scheduler;
  const retention = env.RETENTION_OLDER_THAN
    ? startRetention({
        policy: { olderThan: env.RETENTION_OLDER_THAN, payloadsOlderThan: env.RETENTION_PAYLOADS_OLDER_THAN, keepFailed: env.RETENTION_KEEP_FAILED },
        everyMs: env.RETENTION_EVERY_MS,
        prune: (options) => connected.control.pruneRuns(options),
        logger,
      })
    : undefined;
  installShutdown(logger, async () => {
    state.stopping = true;
    await retention?.stop();
    await scheduler.stop();
    await connected.close();
    await ops.close();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`scheduler: cannot start: ${redactSecrets(err instanceof Error ? err.message : String(err))}\n`);
  process.exit(1);
});
