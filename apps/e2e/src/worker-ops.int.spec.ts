import { DEFAULT_PARTITIONS, topicNames, type StageName } from '@brokered-etl/contracts';
import { createSilentLogger } from '@brokered-etl/observability';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import type { ConnectedRunControl } from '@brokered-etl/run-control';
import { createExtractHandler } from '@brokered-etl/stages';
import { appEnvFor, databaseFor, integrationEnv, parseLogLine, startApp, startPrivateKafka, uniqueName, waitFor, type PrivateKafka } from '@brokered-etl/testing';
import { startStageWorker, stageWorkerEnvSchema, type RunningWorker } from '@brokered-etl/worker';
import type { TestStages } from '@brokered-etl/worker/testing';
import { writePatchedFlights } from './support/flights-fixtures';
import { connectTestRunControl, createPipelineEnv } from './support/pipeline-env';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, enough of it for assertions: one sample per line. */
function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    out.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return out;
}

const pick = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

async function get(url: string): Promise<{ status: number; body: string; ms: number }> {
  const started = Date.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text(), ms: Date.now() - started };
}

describe('stage worker ops endpoints (real Kafka, registry, MongoDB)', () => {
  const env = integrationEnv();
  const logger = createSilentLogger();

  describe('after a flights run', () => {
    const pipeline = createPipelineEnv('it-ops');
    const { namespace, topics } = pipeline;
    let stages: TestStages;
    let control: ConnectedRunControl;

    // two records the transformer rejects: rejected and dead-letter counters move too
    const source = writePatchedFlights('flights-2k-two-bad.json', { 10: { origin: 'ZZZ' }, 20: { delay: 'late' } });

    beforeAll(async () => {
      ({ stages, connected: control } = await pipeline.start());
    });
    afterAll(() => pipeline.close());

    it('each stage is alive and ready, and /metrics shows its records, its message latency and its lag per partition', async () => {
      for (const stage of ['extractor', 'transformer', 'loader'] as StageName[]) {
        expect((await get(`${stages.opsUrl(stage)}/healthz`)).status).toBe(200);
        const ready = await get(`${stages.opsUrl(stage)}/readyz`);
        expect(ready.status).toBe(200);
        expect(JSON.parse(ready.body)).toMatchObject({ status: 'ok', ok: true, inGroup: true });
      }

      const request = await control.control.trigger({ pipeline: 'flights', params: { source }, requestedBy: 'test' });
      const run = await control.control.waitForRun(request.runId, { timeoutMs: 180_000 });
      expect(run.counts).toMatchObject({ extracted: 2000, transformed: 1998, rejected: 2, loaded: 1998 });
      await stages.waitIdle();

      const scrapes = new Map<StageName, Sample[]>();
      for (const stage of ['extractor', 'transformer', 'loader'] as StageName[]) {
        const res = await get(`${stages.opsUrl(stage)}/metrics`);
        expect(res.status).toBe(200);
        expect(res.ms).toBeLessThan(3000);
        scrapes.set(stage, parseMetrics(res.body));
      }
      const value = (stage: StageName, name: string, labels: Record<string, string> = {}) => pick(scrapes.get(stage)!, name, { stage, ...labels })[0]?.value;
      const flightsOnly = { pipeline: 'flights' };

      expect(value('extractor', 'etl_records_in_total', flightsOnly)).toBe(2000);
      expect(value('extractor', 'etl_records_out_total', flightsOnly)).toBe(2000);
      expect(value('transformer', 'etl_records_in_total', flightsOnly)).toBe(2000);
      expect(value('transformer', 'etl_records_out_total', flightsOnly)).toBe(1998);
      expect(value('transformer', 'etl_records_rejected_total', flightsOnly)).toBe(2);
      expect(value('transformer', 'etl_dead_letters_total', { pipeline: 'flights', code: 'VALIDATION_FAILED' })).toBe(2);
      expect(value('loader', 'etl_records_in_total', flightsOnly)).toBe(1998);
      expect(value('loader', 'etl_records_out_total', flightsOnly)).toBe(1998);

      const inputs: Array<[StageName, string[], number]> = [
        ['extractor', [topics.trigger], DEFAULT_PARTITIONS.control],
        ['transformer', PIPELINES.map((p) => topics.data(p.name, 'extracted')), DEFAULT_PARTITIONS.data],
        ['loader', PIPELINES.map((p) => topics.data(p.name, 'transformed')), DEFAULT_PARTITIONS.data],
      ];
      for (const [stage, stageTopics, partitions] of inputs) {
        const dataTopic = stageTopics.find((t) => t.startsWith(`${namespace}.flights.`)) ?? topics.trigger;
        expect(value(stage, 'etl_message_duration_seconds_count', { topic: dataTopic, outcome: 'processed' })).toBeGreaterThan(0);
        expect(pick(scrapes.get(stage)!, 'etl_message_duration_seconds_bucket', { stage, topic: dataTopic, le: '+Inf' })).toHaveLength(1);
        for (const topic of stageTopics) {
          const lag = pick(scrapes.get(stage)!, 'etl_consumer_lag', { stage, topic });
          // every partition has a figure, and the group is caught up after waitIdle
          expect(lag.map((s) => Number(s.labels['partition'])).sort((a, b) => a - b)).toEqual([...Array(partitions).keys()]);
          expect(lag.every((s) => s.value === 0)).toBe(true);
        }
        expect(value(stage, 'etl_consumer_lag_age_seconds')).toBeLessThan(1);
        expect(pick(scrapes.get(stage)!, 'process_resident_memory_bytes')).toHaveLength(1);
      }
    });
  });

  describe('readiness follows the broker', () => {
    let kafka: PrivateKafka | undefined;
    let worker: RunningWorker | undefined;
    afterAll(async () => {
      // the broker first (the worker leaves its group through it), each bounded
      await kafka?.start().catch(() => undefined);
      await Promise.race([worker?.stop(), new Promise((resolve) => setTimeout(resolve, 20_000).unref())]);
      await kafka?.destroy();
    }, 120_000);

    const readyz = async () => {
      const res = await get(`${worker!.ops.url}/readyz`);
      return { ...(JSON.parse(res.body) as { reason?: string; inGroup: boolean; heartbeatAgeMs: number | null }), status: res.status };
    };

    beforeAll(async () => {
      kafka = await startPrivateKafka();
      const namespace = uniqueName('it-ready');
      worker = await startStageWorker({
        stage: 'extractor',
        env: stageWorkerEnvSchema.parse({ ...appEnvFor({ ...env, kafkaBrokers: kafka.brokers }, namespace), OPS_PORT: '0' }),
        logger,
        pipelines: PIPELINES,
        handlerFor: createExtractHandler,
      });
      await worker.consumer.joined;
    }, 120_000);

    it('a frozen broker (connections open, nothing answers) makes the worker unready by heartbeat age while it stays in its group, and ready when it answers again', async () => {
      await waitFor('ready on a live broker', async () => (await readyz()).status === 200, 30_000);
      kafka!.freeze();
      const frozen = Date.now();
      let unready;
      try {
        unready = await waitFor('/readyz to say 503', async () => {
          const res = await readyz();
          return res.status === 503 ? res : undefined;
        }, 40_000, 250);
      } finally {
        kafka!.thaw();
      }
      const toUnready = Date.now() - frozen;
      // inGroup alone would still say ready here: the heartbeat age is what notices
      expect(unready.inGroup).toBe(true);
      expect(unready.reason).toMatch(/no heartbeat accepted by the broker for/);
      expect(toUnready).toBeLessThan(20_000);
      const thawed = Date.now();
      await waitFor('/readyz to say 200 again', async () => (await readyz()).status === 200, 60_000, 250);
      process.stderr.write(`[worker-ops] frozen broker: unready after ${toUnready} ms (${unready.reason}); ready ${Date.now() - thawed} ms after thaw\n`);
    }, 120_000);

    it('a stopped broker makes the worker unready within 20 s; /metrics keeps answering with the last lag; ready again when the broker returns', async () => {
      const { url } = worker!.ops;
      await waitFor('ready on a live broker', async () => (await readyz()).status === 200, 60_000);
      // the extractor reads the trigger topic and the splits it plans
      expect(pick(parseMetrics((await get(`${url}/metrics`)).body), 'etl_consumer_lag')).toHaveLength(DEFAULT_PARTITIONS.control + DEFAULT_PARTITIONS.data);

      const stopping = Date.now();
      await kafka!.stop();
      const stopped = Date.now();
      const unready = await waitFor('/readyz to say 503', async () => {
        const res = await readyz();
        return res.status === 503 ? res : undefined;
      }, 40_000, 250);
      const toUnready = Date.now() - stopped;
      expect(unready.reason).toMatch(/heartbeat|group/);
      expect(toUnready).toBeLessThan(20_000);

      // the broker is gone: the process is alive, and a scrape answers promptly with the last known lag
      expect((await get(`${url}/healthz`)).status).toBe(200);
      const scrape = await get(`${url}/metrics`);
      expect(scrape.status).toBe(200);
      expect(scrape.ms).toBeLessThan(4000);
      expect(pick(parseMetrics(scrape.body), 'etl_consumer_lag')).toHaveLength(DEFAULT_PARTITIONS.control + DEFAULT_PARTITIONS.data);
      expect(pick(parseMetrics(scrape.body), 'etl_consumer_lag_age_seconds')[0]?.value).toBeGreaterThan(0);

      const restarting = Date.now();
      await kafka!.start();
      const restarted = Date.now();
      await waitFor('/readyz to say 200 again', async () => (await readyz()).status === 200, 90_000, 250);
      process.stderr.write(
        `[worker-ops] stopped broker: stop took ${stopped - stopping} ms; unready ${toUnready} ms after it (${unready.reason}); metrics scrape while down ${scrape.ms} ms; ` +
          `broker start took ${restarted - restarting} ms; ready ${Date.now() - restarted} ms after it\n`,
      );
    }, 180_000);
  });

  it('a stage app serves its ops endpoints on OPS_PORT and its per-message logs carry runId, stage, topic, partition and offset', async () => {
    const namespace = uniqueName('it-ops-app');
    const database = databaseFor(namespace);
    const app = startApp('extractor', { ...appEnvFor(env, namespace, database), OPS_PORT: '0' });
    let control: ConnectedRunControl | undefined;
    try {
      const listening = parseLogLine(await app.waitForLine((line) => parseLogLine(line)?.['message'] === 'ops server listening', 90_000));
      const url = String(listening?.['url']);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await app.waitForLine((line) => parseLogLine(line)?.['message'] === 'joined group', 90_000);
      await waitFor('the app to be ready', async () => (await get(`${url}/readyz`)).status === 200);

      control = await connectTestRunControl({ env, namespace, database, logger });
      const { runId } = await control.control.trigger({ pipeline: 'flights', params: { source: 'flights-2k.json' }, requestedBy: 'test' });
      const ended = parseLogLine(await app.waitForLine((line) => parseLogLine(line)?.['message'] === 'source ended', 90_000));
      expect(ended).toMatchObject({ runId, stage: 'extractor', topic: topicNames(namespace).splits, groupId: `${namespace}.etl.extractor`, module: 'split', service: 'extractor' });
      expect(typeof ended?.['partition']).toBe('number');
      expect(ended?.['offset']).toMatch(/^\d+$/);

      // records are counted split by split; the trigger and the split message are timed once their handlers returned
      const samples = await waitFor('the extractor to count the run and time its trigger', async () => {
        const found = parseMetrics((await get(`${url}/metrics`)).body);
        return pick(found, 'etl_message_duration_seconds_count', { stage: 'extractor', outcome: 'processed' }).reduce((n, s) => n + s.value, 0) >= 2 ? found : undefined;
      });
      expect(pick(samples, 'etl_records_out_total', { stage: 'extractor', pipeline: 'flights' })[0]?.value).toBe(2000);
      expect(pick(samples, 'etl_message_duration_seconds_count', { stage: 'extractor', outcome: 'processed' }).reduce((n, s) => n + s.value, 0)).toBe(2);
    } finally {
      await control?.close();
      const { code } = await app.stop('SIGTERM');
      expect(code).toBe(0);
    }
  }, 180_000);
});
