import { Counter, Gauge, type Registry } from 'prom-client';

export interface SchedulerMetricsOptions {
  registry: Registry;
  /** Read at scrape time: when each schedule fires next. */
  nextTicks(): Array<{ schedule: string; nextAt?: Date }>;
}

export interface PromSchedulerMetrics {
  tickSettled(schedule: string, outcome: string): void;
}

/**
 * The scheduler's etl_* metrics: how its ticks ended (requested, rejected,
 * gave-up: a tick lost after its retries, stopped) and when each schedule
 * fires next, so an alert can tell a silent scheduler from an idle one.
 */
export function createSchedulerMetrics(options: SchedulerMetricsOptions): PromSchedulerMetrics {
  const registers = [options.registry];
  const ticks = new Counter({ name: 'etl_scheduler_ticks_total', help: 'Schedule ticks by how their run request ended', labelNames: ['schedule', 'outcome'], registers });
  new Gauge({
    name: 'etl_scheduler_next_tick_timestamp_seconds',
    help: 'When each schedule fires next (Unix time); absent once a schedule has no further ticks',
    labelNames: ['schedule'],
    registers,
    collect() {
      this.reset();
      for (const { schedule, nextAt } of options.nextTicks()) if (nextAt) this.set({ schedule }, nextAt.getTime() / 1000);
    },
  });
  return { tickSettled: (schedule, outcome) => ticks.inc({ schedule, outcome }) };
}
