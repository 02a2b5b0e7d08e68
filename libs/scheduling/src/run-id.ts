import type { Schedule, ScheduledTriggerRequest } from './schedule.types';

/** 2026-11-26T02:00:00.000Z → 20261126T020000Z (basic ISO 8601, UTC, whole seconds). */
export function formatScheduledAt(scheduledAt: Date): string {
  return scheduledAt.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/**
 * `<pipeline>.<schedule>.<scheduled time, UTC>`: a pure function of the tick,
 * never of the clock reading when it fired, so the same tick seen by two
 * instances, or again after a restart, names the same run and the extractor
 * starts it once. UTC whatever the schedule's zone: the two 01:30 of a
 * daylight-saving fall-back are two instants and get two ids.
 */
export function scheduledRunId(schedule: Pick<Schedule, 'name' | 'pipeline'>, scheduledAt: Date): string {
  return `${schedule.pipeline}.${schedule.name}.${formatScheduledAt(scheduledAt)}`;
}

/** One tick → the trigger request run control produces as RunRequested. */
export function tickRequest(schedule: Schedule, scheduledAt: Date): ScheduledTriggerRequest {
  return {
    pipeline: schedule.pipeline,
    params: { ...schedule.params },
    runId: scheduledRunId(schedule, scheduledAt),
    requestedBy: `scheduler:${schedule.name}`,
  };
}
