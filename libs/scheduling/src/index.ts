export { createScheduler, type Scheduler, type SchedulerOptions } from './scheduler';
export { loadSchedules, schedulerEnvSchema, SCHEDULER_OPS_PORT, type KnownPipeline } from './scheduler.config';
export type { RetryPolicy, TriggerOutcome } from './trigger-retry';
export type { Schedule, ScheduledTriggerRequest, TriggerFn } from './schedule.types';
export { startRetention, type RetentionPolicy, type RetentionOptions } from './retention';
