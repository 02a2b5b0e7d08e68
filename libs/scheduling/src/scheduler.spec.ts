import { EtlError } from '@brokered-etl/errors';
import { createSilentLogger } from '@brokered-etl/observability';
import { createScheduler, type SchedulerOptions } from './scheduler';
import type { Schedule, ScheduledTriggerRequest } from './schedule.types';

const everySecond: Schedule = { name: 'fast', pipeline: 'flights', cron: '* * * * * *', params: { source: 'flights-2k.json' } };
const START = new Date('2026-11-26T02:00:00.300Z');

/** A trigger that records what it was asked; `fail` decides per call whether to throw. */
function fakeTrigger(fail: (request: ScheduledTriggerRequest, call: number) => Error | undefined = () => undefined) {
  const calls: ScheduledTriggerRequest[] = [];
  const requested: string[] = [];
  const trigger = async (request: ScheduledTriggerRequest) => {
    calls.push(request);
    const error = fail(request, calls.length);
    if (error) throw error;
    requested.push(request.runId);
  };
  return { calls, requested, trigger };
}

function scheduler(trigger: SchedulerOptions['trigger'], options: Partial<SchedulerOptions> = {}) {
  return createScheduler({ schedules: [everySecond], trigger, logger: createSilentLogger(), ...options });
}

const idAt = (iso: string) => `flights.fast.${iso.replace(/[-:]/g, '').replace('.000', '')}`;

describe('scheduler', () => {
  beforeEach(() => jest.useFakeTimers({ now: START }));
  afterEach(() => jest.useRealTimers());

  it('N ticks → N trigger requests, one per scheduled second, ids from the scheduled time', async () => {
    const fake = fakeTrigger();
    const s = scheduler(fake.trigger);
    s.start();
    await jest.advanceTimersByTimeAsync(5_000);
    await s.stop();
    expect(fake.requested).toEqual(['01', '02', '03', '04', '05'].map((sec) => idAt(`2026-11-26T02:00:${sec}.000Z`)));
    expect(fake.calls[0]).toEqual({ pipeline: 'flights', params: { source: 'flights-2k.json' }, runId: idAt('2026-11-26T02:00:01.000Z'), requestedBy: 'scheduler:fast' });
  });

  it('a timer that wakes late still names the tick by its scheduled time', async () => {
    const fake = fakeTrigger();
    const s = scheduler(fake.trigger, { schedules: [{ ...everySecond, cron: '*/2 * * * * *' }] });
    s.start();
    // the wall clock jumps 1.5 s (a blocked event loop): the timer armed for 02:00:02 wakes at 02:00:03.5
    jest.setSystemTime(START.getTime() + 1_500);
    await jest.advanceTimersByTimeAsync(1_700);
    await s.stop();
    expect(fake.requested).toEqual([idAt('2026-11-26T02:00:02.000Z')]);
  });

  it('two instances on the same schedule ask for the same run ids', async () => {
    const a = fakeTrigger();
    const b = fakeTrigger();
    const first = scheduler(a.trigger);
    jest.setSystemTime(START.getTime() + 400); // the second starts a little later
    const second = scheduler(b.trigger);
    first.start();
    second.start();
    await jest.advanceTimersByTimeAsync(4_000);
    await Promise.all([first.stop(), second.stop()]);
    expect(a.requested).toHaveLength(4);
    expect(b.requested).toEqual(a.requested);
  });

  it('a restart without catch-up resumes at the next tick; with catch-up it repeats recent ids, never new ones', async () => {
    const fake = fakeTrigger();
    const before = scheduler(fake.trigger);
    before.start();
    await jest.advanceTimersByTimeAsync(3_000);
    await before.stop();
    const beforeIds = [...fake.requested];
    await jest.advanceTimersByTimeAsync(2_500); // down for two ticks

    const plain = scheduler(fake.trigger);
    plain.start();
    await jest.advanceTimersByTimeAsync(1_000);
    await plain.stop();
    expect(fake.requested.slice(3)).toEqual([idAt('2026-11-26T02:00:06.000Z')]);

    fake.requested.length = 0;
    const catchingUp = scheduler(fake.trigger, { catchUpMs: 5_000 });
    catchingUp.start();
    await jest.advanceTimersByTimeAsync(0);
    await catchingUp.stop();
    // now 02:00:06.800: ticks in (01.800, 06.800] again, the same names as their first time
    expect(fake.requested).toEqual(['02', '03', '04', '05', '06'].map((sec) => idAt(`2026-11-26T02:00:${sec}.000Z`)));
    expect(fake.requested.slice(0, 2)).toEqual(beforeIds.slice(1));
  });

  it('fires at most maxCatchUpTicks overdue ticks after a stall, the latest ones', async () => {
    const fake = fakeTrigger();
    const s = scheduler(fake.trigger, { maxCatchUpTicks: 3 });
    s.start();
    jest.setSystemTime(START.getTime() + 10_000); // the event loop was blocked for 10 s
    await jest.advanceTimersByTimeAsync(700); // the timer armed for 02:00:01 wakes at 02:00:11
    await s.stop();
    expect(fake.requested).toEqual(['09', '10', '11'].map((sec) => idAt(`2026-11-26T02:00:${sec}.000Z`)));
  });

  it('retries a tick with backoff while the broker is away, with the same run id', async () => {
    const fake = fakeTrigger((_r, call) => (call <= 2 ? new EtlError('BROKER_UNAVAILABLE', 'broker down') : undefined));
    const s = scheduler(fake.trigger, { schedules: [{ ...everySecond, cron: '0 * * * * *' }], retry: { initialMs: 500 } });
    s.start();
    await jest.advanceTimersByTimeAsync(59_700); // 02:01:00 fires, fails
    await jest.advanceTimersByTimeAsync(1_499); // second attempt at +0.5 s, fails
    expect(fake.calls).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(fake.calls.map((c) => c.runId)).toEqual(Array(3).fill(idAt('2026-11-26T02:01:00.000Z')));
    expect(fake.requested).toEqual([idAt('2026-11-26T02:01:00.000Z')]);
    await s.stop();
  });

  it('gives a failing tick up at its retry deadline (next tick, at least minWindowMs), without losing later ticks', async () => {
    const fake = fakeTrigger((r) => (r.runId.endsWith('T020001Z') ? new Error('socket hang up') : undefined));
    const s = scheduler(fake.trigger, { retry: { initialMs: 500, maxMs: 10_000, minWindowMs: 2_000 } });
    s.start();
    await jest.advanceTimersByTimeAsync(10_000);
    await s.stop();
    // attempts at +0, +0.5 s, +1.5 s; the next pause (2 s) would pass the deadline (+2 s)
    expect(fake.calls.filter((c) => c.runId === idAt('2026-11-26T02:00:01.000Z'))).toHaveLength(3);
    expect(fake.requested).toHaveLength(9);
    expect(fake.requested).not.toContain(idAt('2026-11-26T02:00:01.000Z'));
  });

  it('tells how each tick ended, once per tick, after its retries', async () => {
    const fake = fakeTrigger((request, call) => (call === 1 ? new EtlError('BROKER_UNAVAILABLE', 'down') : request.runId.endsWith('03Z') ? new EtlError('UNKNOWN_PIPELINE', 'gone') : undefined));
    const settled: Array<{ runId: string; outcome: string }> = [];
    const s = scheduler(fake.trigger, { onTickSettled: ({ runId, outcome }) => settled.push({ runId, outcome }) });
    s.start();
    await jest.advanceTimersByTimeAsync(3_000);
    await s.stop();
    expect(settled).toEqual([
      { runId: idAt('2026-11-26T02:00:01.000Z'), outcome: 'requested' }, // after one retry
      { runId: idAt('2026-11-26T02:00:02.000Z'), outcome: 'requested' },
      { runId: idAt('2026-11-26T02:00:03.000Z'), outcome: 'rejected' },
    ]);
  });

  it('does not retry a request refused for good', async () => {
    const fake = fakeTrigger(() => new EtlError('UNKNOWN_PIPELINE', 'no such pipeline'));
    const s = scheduler(fake.trigger);
    s.start();
    await jest.advanceTimersByTimeAsync(1_000);
    await jest.advanceTimersByTimeAsync(30_000 - 1_000);
    await s.stop();
    expect(new Set(fake.calls.map((c) => c.runId)).size).toBe(fake.calls.length);
  });

  it('stop ends retry pauses at once and arms no more ticks', async () => {
    const fake = fakeTrigger(() => new EtlError('BROKER_UNAVAILABLE', 'down'));
    const s = scheduler(fake.trigger, { retry: { initialMs: 60_000, maxMs: 60_000, minWindowMs: 600_000 } });
    s.start();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(fake.calls).toHaveLength(1);
    await s.stop(); // resolves without advancing the 60 s pause
    await jest.advanceTimersByTimeAsync(120_000);
    expect(fake.calls).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('keeps each schedule on its own calendar and zone', async () => {
    const fake = fakeTrigger();
    const s = createScheduler({
      schedules: [
        { ...everySecond, name: 'paris', cron: '0 3 * * *', timezone: 'Europe/Paris' },
        { ...everySecond, name: 'utc', cron: '0 3 * * *' },
      ],
      trigger: fake.trigger,
      logger: createSilentLogger(),
    });
    s.start();
    expect(s.nextTicks()).toEqual([
      { schedule: 'paris', nextAt: new Date('2026-11-27T02:00:00Z') },
      { schedule: 'utc', nextAt: new Date('2026-11-26T03:00:00Z') },
    ]);
    await jest.advanceTimersByTimeAsync(24 * 3600_000);
    await s.stop();
    expect(fake.requested).toEqual(['flights.utc.20261126T030000Z', 'flights.paris.20261127T020000Z']);
  });
});
