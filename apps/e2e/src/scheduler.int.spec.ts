import type { RunEvent } from '@brokered-etl/contracts';
import { createAvroRegistry, createKafkaClient } from '@brokered-etl/messaging';
import type { ConnectedRunControl } from '@brokered-etl/run-control';
import { createScheduler, type Schedule, type ScheduledTriggerRequest } from '@brokered-etl/scheduling';
import { appEnvFor, parseLogLine, startApp, uniqueName, waitFor, type AppProcess } from '@brokered-etl/testing';
import type { TestStages } from '@brokered-etl/worker/testing';
import { readFlights } from './support/flights-fixtures';
import { createPipelineEnv } from './support/pipeline-env';

/**
 * The scheduler on real services with an every-second cron over flights-2k:
 * each tick is one run, whether the tick is fired once, again after a
 * restart (catch-up), or by two scheduler apps at once.
 */
describe('scheduler (real Kafka, registry, MongoDB)', () => {
  const pipeline = createPipelineEnv('it-sched');
  const { env, namespace, database, topics, logger } = pipeline;
  const schedule: Schedule = { name: 'fast', pipeline: 'flights', cron: '* * * * * *', params: { source: 'flights-2k.json' } };
  const sourceCount = readFlights().length;
  /** Every successful trigger of this test, in-process or by an app: runId → how many times. */
  const requested = new Map<string, number>();
  let stages: TestStages;
  let control: ConnectedRunControl;
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    ({ stages, connected: control } = await pipeline.start());
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop('SIGKILL')));
    await pipeline.close();
  });

  function note(runId: string): void {
    requested.set(runId, (requested.get(runId) ?? 0) + 1);
  }

  /** An in-process scheduler whose trigger is the real run control; returns the run ids it requested. */
  function inProcessScheduler(options: { catchUpMs?: number } = {}) {
    const ids: string[] = [];
    const scheduler = createScheduler({
      schedules: [schedule],
      logger,
      catchUpMs: options.catchUpMs,
      trigger: async (request: ScheduledTriggerRequest) => {
        await control.control.trigger(request);
        ids.push(request.runId);
        note(request.runId);
      },
    });
    return { scheduler, ids };
  }

  /** Every message currently on a topic, read by a throwaway group. */
  async function readTopic(topic: string): Promise<Array<{ key: string; value: Buffer }>> {
    const kafka = createKafkaClient({ brokers: env.kafkaBrokers, clientId: 'it-sched-reader', logger });
    const admin = kafka.admin();
    await admin.connect();
    const total = (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
    await admin.disconnect();
    const messages: Array<{ key: string; value: Buffer }> = [];
    const consumer = kafka.consumer({ groupId: uniqueName('it-sched-read') });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void messages.push({ key: message.key?.toString() ?? '', value: message.value ?? Buffer.alloc(0) }) });
      await waitFor(`${total} messages on ${topic}`, () => messages.length >= total, 30_000);
    } finally {
      await consumer.disconnect();
    }
    return messages;
  }

  /**
   * The staged runs are exactly the ticks requested so far, each completed
   * once with the source loaded once; the trigger topic holds a message for
   * every request (often more); the extractor started each run once
   * (one run.started and one run.completed per run id).
   */
  async function expectOneRunPerTick(): Promise<void> {
    for (const runId of requested.keys()) {
      const run = await control.control.waitForRun(runId, { timeoutMs: 120_000 });
      expect({ runId, status: run.status }).toEqual({ runId, status: 'completed' });
      expect(run.totalRecords).toBe(sourceCount);
      expect(run.counts).toMatchObject({ extracted: sourceCount, transformed: sourceCount, rejected: 0, loaded: sourceCount });
    }
    await stages.waitIdle(60_000);
    const runs = await stages.staging.listRuns({ pipeline: 'flights', limit: 1000 });
    expect(runs.map((r) => r.runId).sort()).toEqual([...requested.keys()].sort());

    // exactly once per request: two creators of one run id are not an error to retry
    const perKey = new Map<string, number>();
    for (const { key } of await readTopic(topics.trigger)) perKey.set(key, (perKey.get(key) ?? 0) + 1);
    expect([...perKey.keys()].sort()).toEqual([...requested.keys()].sort());
    const miscounted = [...requested].filter(([id, times]) => perKey.get(id) !== times);
    expect(miscounted).toEqual([]);

    const registry = createAvroRegistry({ url: env.schemaRegistryUrl });
    const started = new Map<string, number>();
    const completed = new Map<string, number>();
    for (const { value } of await readTopic(topics.events)) {
      const event = await registry.decode<RunEvent>(value);
      if (event.type === 'run.started') started.set(event.runId, (started.get(event.runId) ?? 0) + 1);
      if (event.type === 'run.completed') completed.set(event.runId, (completed.get(event.runId) ?? 0) + 1);
    }
    const once = Object.fromEntries([...requested.keys()].map((id) => [id, 1]));
    expect(Object.fromEntries(started)).toEqual(once);
    expect(Object.fromEntries(completed)).toEqual(once);
  }

  it('N ticks of an every-second cron → exactly N runs, each completed, the source loaded once', async () => {
    const { scheduler, ids } = inProcessScheduler();
    const started = Date.now();
    scheduler.start();
    try {
      await waitFor('3 ticks', () => ids.length >= 3, 15_000, 50);
    } finally {
      await scheduler.stop();
    }
    const elapsedMs = Date.now() - started;
    expect(ids.length).toBeGreaterThanOrEqual(3);
    // one tick per second, named by its second: consecutive, never repeated
    const seconds = ids.map((id) => Date.parse(id.replace(/^flights\.fast\.(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z')));
    expect(seconds.slice(1).map((s, i) => s - seconds[i])).toEqual(Array(ids.length - 1).fill(1000));
    expect(ids.length).toBeLessThanOrEqual(Math.ceil(elapsedMs / 1000) + 1);
    await expectOneRunPerTick();
  });

  it('a restart that re-fires recent ticks (catch-up) starts none of them twice', async () => {
    const before = inProcessScheduler();
    before.scheduler.start();
    try {
      await waitFor('2 ticks before the restart', () => before.ids.length >= 2, 15_000, 50);
    } finally {
      await before.scheduler.stop();
    }
    const after = inProcessScheduler({ catchUpMs: 5_000 });
    after.scheduler.start();
    try {
      await waitFor('a live tick after the restart', () => after.ids.some((id) => !before.ids.includes(id) && id > before.ids[before.ids.length - 1]), 15_000, 50);
    } finally {
      await after.scheduler.stop();
    }
    // the restarted scheduler asked again for ticks the first one had already run
    expect(after.ids.filter((id) => before.ids.includes(id)).length).toBeGreaterThanOrEqual(1);
    await expectOneRunPerTick();
  });

  it('two scheduler apps at once: the trigger topic holds two messages per tick, staging one run per tick', async () => {
    const appEnv = {
      ...appEnvFor(env, namespace, database),
      ETL_SCHEDULES: JSON.stringify({ schedules: [schedule] }),
      // two apps on one host: each its own free ops port
      OPS_PORT: '0',
    };
    const [first, second] = [startApp('scheduler', appEnv), startApp('scheduler', appEnv)];
    apps.push(first, second);
    const requestedBy = (app: AppProcess) =>
      app.lines.map(parseLogLine).filter((l) => l?.['message'] === 'run requested').map((l) => String(l?.['runId']));
    await Promise.all([first, second].map((app) => app.waitForLine((l) => parseLogLine(l)?.['message'] === 'scheduler started', 90_000)));
    await waitFor('3 ticks requested by both apps', () => requestedBy(first).filter((id) => requestedBy(second).includes(id)).length >= 3, 30_000);

    // each app's own /readyz and /metrics: its requested ticks and when the schedule fires next
    for (const app of [first, second]) {
      const opsUrl = String(parseLogLine(app.lines.find((l) => parseLogLine(l)?.['message'] === 'ops server listening') ?? '')?.['url']);
      expect((await fetch(`${opsUrl}/readyz`)).status).toBe(200);
      const scrape = await (await fetch(`${opsUrl}/metrics`)).text();
      const ticks = Number(/etl_scheduler_ticks_total\{schedule="fast",outcome="requested"\} (\d+)/.exec(scrape)?.[1]);
      expect(ticks).toBeGreaterThanOrEqual(requestedBy(app).length - 1); // a tick may settle between the two reads
      expect(ticks).toBeGreaterThanOrEqual(3);
      const nextAt = Number(/etl_scheduler_next_tick_timestamp_seconds\{schedule="fast"\} (\d+)/.exec(scrape)?.[1]) * 1000;
      expect(Math.abs(nextAt - Date.now())).toBeLessThan(5_000);
    }

    const stops = await Promise.all([first.stop('SIGTERM'), second.stop('SIGTERM')]);
    expect(stops.map((s) => s.code)).toEqual([0, 0]);
    const shared = requestedBy(first).filter((id) => requestedBy(second).includes(id));
    for (const id of [...requestedBy(first), ...requestedBy(second)]) note(id);
    expect(shared.length).toBeGreaterThanOrEqual(3);
    expect(shared.filter((id) => requested.get(id) !== 2)).toEqual([]);
    await expectOneRunPerTick();
  });
});
