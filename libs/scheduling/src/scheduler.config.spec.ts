import { join } from 'node:path';
import { ConfigError } from '@brokered-etl/config';
import { loadSchedules, parseSchedules, schedulerEnvSchema, type KnownPipeline } from './scheduler.config';

const PIPELINES: KnownPipeline[] = [
  { name: 'flights', params: { source: {}, format: {}, airports: {} } },
  { name: 'airports', params: { source: {} } },
];
const nightly = { name: 'nightly', pipeline: 'flights', cron: '0 2 * * *', params: { source: 'flights-2k.json' } };

function problemOf(document: unknown): string {
  try {
    parseSchedules(document, PIPELINES);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('schedule config', () => {
  it('reads the shipped example file', () => {
    const schedules = loadSchedules('config/schedules.example.json', PIPELINES, { cwd: join(__dirname, '../../..') });
    expect(schedules.map((s) => [s.name, s.pipeline])).toEqual([
      ['nightly', 'flights'],
      ['airports-weekly', 'airports'],
    ]);
    expect(schedules[0]).toMatchObject({ cron: '0 2 * * *', timezone: 'Europe/Paris', params: { source: 'flights-2k.json' } });
    expect(schedules[1].params).toEqual({});
  });

  it('takes inline JSON, as an object or a bare array', () => {
    expect(loadSchedules(JSON.stringify({ schedules: [nightly] }), PIPELINES)).toHaveLength(1);
    expect(loadSchedules(JSON.stringify([nightly, { ...nightly, name: 'hourly', cron: '0 * * * *' }]), PIPELINES)).toHaveLength(2);
  });

  it.each([
    ['an unknown pipeline', { ...nightly, pipeline: 'flight' }, 'ETL_SCHEDULES: schedule "nightly" (entry 1): unknown pipeline "flight" (known: flights, airports)'],
    ['a bad cron expression', { ...nightly, cron: '0 25 * * *' }, 'ETL_SCHEDULES: schedule "nightly" (entry 1): bad cron "0 25 * * *": '],
    ['a cron with the wrong number of fields', { ...nightly, cron: 'every day' }, 'schedule "nightly" (entry 1): bad cron "every day"'],
    ['a cron that never fires', { ...nightly, cron: '0 0 31 2 *' }, 'schedule "nightly" (entry 1): cron "0 0 31 2 *" never fires'],
    ['an unknown time zone', { ...nightly, timezone: 'Mars/Olympus' }, 'schedule "nightly" (entry 1): unknown time zone "Mars/Olympus"'],
    ['a param the pipeline does not take', { ...nightly, params: { sauce: 'x' } }, 'schedule "nightly" (entry 1): pipeline "flights" has no param "sauce"'],
    ['a name with a dot', { ...nightly, name: 'night.ly' }, 'schedule "night.ly" (entry 1): name: name must be'],
    ['a missing cron', { name: 'nightly', pipeline: 'flights' }, 'schedule "nightly" (entry 1): cron:'],
    ['an unknown field', { ...nightly, crontab: '* * * * *' }, 'schedule "nightly" (entry 1): '],
    ['a non-string param', { ...nightly, params: { source: 2 } }, 'schedule "nightly" (entry 1): params.source:'],
  ])('refuses %s with one line naming the entry', (_what, entry, expected) => {
    const message = problemOf({ schedules: [entry] });
    expect(message).toContain(expected);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('refuses duplicate names, naming the second entry', () => {
    expect(problemOf([nightly, { ...nightly, cron: '0 3 * * *' }])).toBe('ETL_SCHEDULES: schedule "nightly" (entry 2): duplicate name "nightly"');
  });

  it('reports every bad entry, one line each', () => {
    const message = problemOf([{ ...nightly, pipeline: 'nope' }, nightly, { ...nightly, name: 'b', cron: 'x' }]);
    expect(message.split('\n')).toEqual([expect.stringContaining('(entry 1): unknown pipeline'), expect.stringContaining('schedule "b" (entry 3): bad cron')]);
  });

  it('refuses to start with nothing to schedule', () => {
    expect(() => loadSchedules(undefined, PIPELINES)).toThrow('ETL_SCHEDULES is not set');
    expect(() => loadSchedules('', PIPELINES)).toThrow('ETL_SCHEDULES is not set');
    expect(() => loadSchedules('{"schedules": []}', PIPELINES)).toThrow('ETL_SCHEDULES: no schedules');
  });

  it('names the file when it is missing or not JSON', () => {
    expect(() => loadSchedules('nope.json', PIPELINES, { readFile: () => { throw new Error('ENOENT'); } })).toThrow('ETL_SCHEDULES (nope.json): cannot read the file: ENOENT');
    expect(() => loadSchedules('bad.json', PIPELINES, { readFile: () => '{"schedules": [' })).toThrow(/^ETL_SCHEDULES \(bad.json\): not valid JSON/);
    expect(() => loadSchedules('{"jobs": []}', PIPELINES)).toThrow('ETL_SCHEDULES: expected {"schedules": [...]} or an array of schedules');
  });

  it('accepts a seconds field and a 7-field cron', () => {
    expect(parseSchedules([{ ...nightly, cron: '* * * * * *' }, { ...nightly, name: 'y', cron: '0 0 2 * * * 2030' }], PIPELINES)).toHaveLength(2);
  });

  it('defaults: no catch-up, at most 10 overdue ticks at once', () => {
    const env = schedulerEnvSchema.parse({});
    expect(env).toMatchObject({ ETL_SCHEDULER_CATCH_UP_SECONDS: 0, ETL_SCHEDULER_MAX_CATCH_UP_TICKS: 10 });
    expect(env.ETL_SCHEDULES).toBeUndefined();
    expect(schedulerEnvSchema.safeParse({ ETL_SCHEDULER_CATCH_UP_SECONDS: '-1' }).success).toBe(false);
  });
});

describe('scheduler env: retention', () => {
  it('is off unless an age is given, and refuses an age it cannot read, naming the variable', () => {
    const off = schedulerEnvSchema.parse({});
    expect(off.RETENTION_OLDER_THAN).toBeUndefined();
    expect(off).toMatchObject({ RETENTION_KEEP_FAILED: false, RETENTION_EVERY_MS: 3_600_000 });
    expect(schedulerEnvSchema.parse({ RETENTION_OLDER_THAN: '30d', RETENTION_PAYLOADS_OLDER_THAN: '7d', RETENTION_KEEP_FAILED: 'true' })).toMatchObject({ RETENTION_OLDER_THAN: '30d', RETENTION_PAYLOADS_OLDER_THAN: '7d', RETENTION_KEEP_FAILED: true });
    const result = schedulerEnvSchema.safeParse({ RETENTION_OLDER_THAN: '30 days' });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('RETENTION_OLDER_THAN');
  });
});
