export { createScheduler, type Scheduler, type SchedulerOptions } from './scheduler';
export { loadSchedules, parseSchedules, schedulerEnvSchema, SCHEDULER_OPS_PORT, type SchedulerEnv, type KnownPipeline } from './scheduler.config';
export { scheduledRunId, formatScheduledAt, tickRequest, RUN_ID_PATTERN } from './run-id';
export { triggerWithRetry, DEFAULT_RETRY, type RetryPolicy, type TriggerOutcome } from './trigger-retry';
export type { Schedule, ScheduledTriggerRequest, TriggerFn } from './schedule.types';
