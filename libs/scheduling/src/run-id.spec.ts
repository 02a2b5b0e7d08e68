import { Cron } from 'croner';
import { RUN_ID_PATTERN } from '@brokered-etl/contracts';
import { formatScheduledAt, scheduledRunId, tickRequest } from './run-id';
import type { Schedule } from './schedule.types';

const nightly: Schedule = { name: 'nightly', pipeline: 'flights', cron: '0 2 * * *', timezone: 'Europe/Paris', params: { source: 'flights-2k.json' } };

describe('run id of a tick', () => {
  it('is <pipeline>.<schedule>.<scheduled time in UTC>', () => {
    expect(scheduledRunId(nightly, new Date('2026-11-26T02:00:00Z'))).toBe('flights.nightly.20261126T020000Z');
  });

  it('is a pure function of the tick: same tick, same id; next tick, another id', () => {
    const at = new Date('2026-11-26T02:00:00Z');
    expect(scheduledRunId(nightly, new Date(at))).toBe(scheduledRunId({ ...nightly }, at));
    expect(scheduledRunId(nightly, new Date(at.getTime() + 1000))).not.toBe(scheduledRunId(nightly, at));
    expect(scheduledRunId({ ...nightly, name: 'other' }, at)).not.toBe(scheduledRunId(nightly, at));
  });

  it('drops milliseconds (a scheduled time has none; a stray one must not split a tick)', () => {
    expect(formatScheduledAt(new Date('2026-11-26T02:00:00.999Z'))).toBe('20261126T020000Z');
  });

  it('matches the run id format run control accepts', () => {
    expect(scheduledRunId({ name: 'a-b_c', pipeline: 'flights' }, new Date())).toMatch(RUN_ID_PATTERN);
    expect(scheduledRunId({ name: 'x'.repeat(64), pipeline: 'flights' }, new Date())).toMatch(RUN_ID_PATTERN);
  });

  it('reads the cron in the schedule zone but names the run in UTC', () => {
    const reference = new Date('2026-11-25T12:00:00Z');
    const [paris] = new Cron('0 2 * * *', { timezone: 'Europe/Paris' }).nextRuns(1, reference);
    const [newYork] = new Cron('0 2 * * *', { timezone: 'America/New_York' }).nextRuns(1, reference);
    expect(scheduledRunId(nightly, paris)).toBe('flights.nightly.20261126T010000Z');
    expect(scheduledRunId(nightly, newYork)).toBe('flights.nightly.20261126T070000Z');
  });

  it('gives the two 02:30 of a daylight-saving fall-back two ids', () => {
    // Europe/Paris goes from 03:00 CEST back to 02:00 CET on 2026-10-25
    const halfHourly = new Cron('*/30 * * * *', { timezone: 'Europe/Paris' });
    const ticks = halfHourly.nextRuns(4, new Date('2026-10-25T00:00:00Z'));
    const ids = ticks.map((t) => scheduledRunId(nightly, t));
    expect(ids).toEqual(['flights.nightly.20261025T003000Z', 'flights.nightly.20261025T010000Z', 'flights.nightly.20261025T013000Z', 'flights.nightly.20261025T020000Z']);
    expect(new Set(ids).size).toBe(4);
  });
});

describe('tick → trigger request', () => {
  it('carries the pipeline, a copy of the params, the run id and who asked', () => {
    const request = tickRequest(nightly, new Date('2026-11-26T01:00:00Z'));
    expect(request).toEqual({ pipeline: 'flights', params: { source: 'flights-2k.json' }, runId: 'flights.nightly.20261126T010000Z', requestedBy: 'scheduler:nightly' });
    request.params['source'] = 'changed';
    expect(nightly.params['source']).toBe('flights-2k.json');
  });
});
