import { Registry } from 'prom-client';
import { createSchedulerMetrics } from './scheduler.metrics';

describe('scheduler metrics', () => {
  it('counts ticks per schedule and outcome, and reads the next ticks at scrape time', async () => {
    const registry = new Registry();
    let next: Array<{ schedule: string; nextAt?: Date }> = [
      { schedule: 'nightly', nextAt: new Date('2026-11-27T01:00:00Z') },
      { schedule: 'fast', nextAt: new Date('2026-11-26T14:00:01Z') },
    ];
    const metrics = createSchedulerMetrics({ registry, nextTicks: () => next });
    metrics.tickSettled('nightly', 'requested');
    metrics.tickSettled('nightly', 'requested');
    metrics.tickSettled('nightly', 'gave-up');

    const first = await registry.metrics();
    expect(first).toContain('etl_scheduler_ticks_total{schedule="nightly",outcome="requested"} 2');
    expect(first).toContain('etl_scheduler_ticks_total{schedule="nightly",outcome="gave-up"} 1');
    expect(first).toContain(`etl_scheduler_next_tick_timestamp_seconds{schedule="nightly"} ${Date.parse('2026-11-27T01:00:00Z') / 1000}`);

    // a schedule with no further ticks disappears instead of keeping a stale time
    next = [{ schedule: 'nightly', nextAt: new Date('2026-11-28T01:00:00Z') }, { schedule: 'fast' }];
    const second = await registry.metrics();
    expect(second).toContain(`etl_scheduler_next_tick_timestamp_seconds{schedule="nightly"} ${Date.parse('2026-11-28T01:00:00Z') / 1000}`);
    expect(second).not.toContain('etl_scheduler_next_tick_timestamp_seconds{schedule="fast"}');
  });
});
