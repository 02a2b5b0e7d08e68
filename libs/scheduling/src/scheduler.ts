import { Cron } from 'croner';
import type { Logger } from '@brokered-etl/observability';
import { tickRequest } from './run-id';
import type { Schedule, TriggerFn } from './schedule.types';
import { DEFAULT_RETRY, triggerWithRetry, type RetryPolicy, type TriggerOutcome } from './trigger-retry';

export interface SchedulerOptions {
  schedules: readonly Schedule[];
  /** Produces RunRequested (run control's trigger in the app, a fake in tests). */
  trigger: TriggerFn;
  logger: Logger;
  /** At start, ticks scheduled this long before it are fired too (default 0: none). */
  catchUpMs?: number;
  /** At most this many overdue ticks per schedule fire at once (default 10). */
  maxCatchUpTicks?: number;
  retry?: Partial<RetryPolicy>;
  /** Told how each tick ended (metrics); after its retries, so once per tick. */
  onTickSettled?(tick: { schedule: string; pipeline: string; runId: string; outcome: TriggerOutcome }): void;
}

export interface Scheduler {
  start(): void;
  /** Stops arming ticks, abandons retry pauses, waits for requests in flight. */
  stop(): Promise<void>;
  /** When each schedule fires next (undefined before start or when it never will). */
  nextTicks(): Array<{ schedule: string; nextAt?: Date }>;
}

// setTimeout's ceiling (~24.8 days); a longer wait is re-armed
const MAX_TIMER_MS = 2 ** 31 - 1;

interface ScheduleState {
  schedule: Schedule;
  /** croner as calendar only: no callback, so it runs no timer of its own. */
  cron: Cron;
  /** Ticks at or before this instant (ms) are done. */
  cursor: number;
  nextAt?: Date;
  timer?: NodeJS.Timeout;
}

/**
 * Fires each schedule's ticks and turns every tick into one trigger request
 * whose run id is derived from the tick's scheduled time. croner computes
 * the calendar; the timer is ours because croner hands its callback the
 * wall-clock time it woke at, and a run id must come from the scheduled one.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const log = options.logger.child({ module: 'scheduler' });
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const maxTicks = options.maxCatchUpTicks ?? 10;
  const abort = new AbortController();
  const inFlight = new Set<Promise<TriggerOutcome>>();
  let states: ScheduleState[] = [];
  let stopped = false;

  function fire(state: ScheduleState, scheduledAt: Date, now: number): void {
    const { schedule } = state;
    const request = tickRequest(schedule, scheduledAt);
    const fields = { schedule: schedule.name, pipeline: schedule.pipeline, runId: request.runId, scheduledAt: scheduledAt.toISOString(), lateMs: now - scheduledAt.getTime() };
    const following = state.cron.nextRun(scheduledAt)?.getTime() ?? Infinity;
    const deadline = Math.max(following, scheduledAt.getTime() + policy.minWindowMs);
    log.debug('tick', fields);
    const attempt = triggerWithRetry(request, { trigger: options.trigger, deadline, policy, signal: abort.signal, log, fields })
      .then((outcome) => {
        options.onTickSettled?.({ schedule: schedule.name, pipeline: schedule.pipeline, runId: request.runId, outcome });
        return outcome;
      })
      .finally(() => inFlight.delete(attempt));
    inFlight.add(attempt);
  }

  /** Fires the ticks due since the cursor (the latest maxTicks of them), then sleeps until the next. */
  function wake(state: ScheduleState): void {
    if (stopped) return;
    const now = new Date();
    // due = ticks in (cursor, now]; croner's previousRuns excludes a tick exactly at its reference
    const overdue = state.cron.previousRuns(maxTicks + 1, new Date(now.getTime() + 1)).filter((at) => at.getTime() > state.cursor);
    if (overdue.length > maxTicks) log.warn('more ticks overdue than the catch-up limit; the oldest are skipped', { schedule: state.schedule.name, maxCatchUpTicks: maxTicks, firstSkippedBefore: overdue[maxTicks - 1].toISOString() });
    const due = overdue.slice(0, maxTicks).reverse();
    for (const at of due) fire(state, at, now.getTime());
    if (due.length) state.cursor = due[due.length - 1].getTime();

    const next = state.cron.nextRun(now);
    state.nextAt = next ?? undefined;
    if (!next) {
      log.warn('schedule has no further ticks', { schedule: state.schedule.name });
      return;
    }
    state.timer = setTimeout(() => wake(state), Math.min(Math.max(next.getTime() - Date.now(), 0), MAX_TIMER_MS));
  }

  return {
    start() {
      if (states.length) return;
      const startedAt = Date.now();
      const catchUpMs = options.catchUpMs ?? 0;
      states = options.schedules.map((schedule) => ({ schedule, cron: new Cron(schedule.cron, { timezone: schedule.timezone, paused: true }), cursor: startedAt - catchUpMs }));
      for (const state of states) {
        wake(state);
        log.info('schedule armed', { schedule: state.schedule.name, pipeline: state.schedule.pipeline, cron: state.schedule.cron, timezone: state.schedule.timezone ?? 'UTC', nextAt: state.nextAt?.toISOString() });
      }
      log.info('scheduler started', { schedules: states.length, catchUpMs, maxCatchUpTicks: maxTicks });
    },

    async stop() {
      stopped = true;
      for (const state of states) clearTimeout(state.timer);
      abort.abort();
      await Promise.allSettled([...inFlight]);
      log.info('scheduler stopped', { schedules: states.length });
    },

    nextTicks: () => states.map((s) => ({ schedule: s.schedule.name, nextAt: s.nextAt })),
  };
}
