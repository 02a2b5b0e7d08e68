import { Registry } from 'prom-client';
import { createStageMetrics, type PartitionLagSample } from './stage.metrics';

describe('stage metrics', () => {
  const valueOf = async (registry: Registry, name: string, labels: Record<string, string>) => {
    const metric = await registry.getSingleMetric(name)!.get();
    return metric.values.find((v) => Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l))?.value;
  };

  it('counts records per stage and pipeline, and dead letters per code', async () => {
    const registry = new Registry();
    const metrics = createStageMetrics({ registry, stage: 'transformer' });
    metrics.recordsIn('flights', 500);
    metrics.recordsIn('flights', 500);
    metrics.recordsOut('flights', 998);
    metrics.rejected('flights', 2);
    metrics.rejected('airports', 0);
    metrics.deadLettered('flights', 'VALIDATION_FAILED');
    metrics.deadLettered(null, 'DECODE_FAILED');
    expect(await valueOf(registry, 'etl_records_in_total', { stage: 'transformer', pipeline: 'flights' })).toBe(1000);
    expect(await valueOf(registry, 'etl_records_out_total', { pipeline: 'flights' })).toBe(998);
    expect(await valueOf(registry, 'etl_records_rejected_total', { pipeline: 'flights' })).toBe(2);
    expect(await valueOf(registry, 'etl_records_rejected_total', { pipeline: 'airports' })).toBeUndefined();
    expect(await valueOf(registry, 'etl_dead_letters_total', { pipeline: '', code: 'DECODE_FAILED' })).toBe(1);
  });

  it('reads lag at scrape time; a read that hangs keeps the last figures, and their age grows', async () => {
    const registry = new Registry();
    let clock = 1_000_000;
    let next: () => Promise<PartitionLagSample[]> = async () => [
      { topic: 't', partition: 0, lag: 3 },
      { topic: 't', partition: 1, lag: 0 },
    ];
    let reads = 0;
    createStageMetrics({ registry, stage: 'loader', readLag: () => (reads++, next()), lagTimeoutMs: 100, now: () => clock });

    const first = await registry.metrics();
    expect(first).toContain('etl_consumer_lag{stage="loader",topic="t",partition="0"} 3');
    expect(first).toContain('etl_consumer_lag{stage="loader",topic="t",partition="1"} 0');
    expect(first).toContain('etl_consumer_lag_age_seconds{stage="loader"} 0');
    expect(reads).toBe(1);

    next = () => new Promise(() => undefined);
    clock += 30_000;
    const started = Date.now();
    const second = await registry.metrics();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(second).toContain('etl_consumer_lag{stage="loader",topic="t",partition="0"} 3');
    expect(second).toContain('etl_consumer_lag_age_seconds{stage="loader"} 30');
    expect(reads).toBe(2);
  });

  it('shows no lag at all before the first successful read', async () => {
    const registry = new Registry();
    createStageMetrics({ registry, stage: 'loader', readLag: () => Promise.reject(new Error('broker down')), lagTimeoutMs: 100 });
    const text = await registry.metrics();
    expect(text).not.toMatch(/^etl_consumer_lag\{/m);
    expect(text).not.toMatch(/^etl_consumer_lag_age_seconds\{/m);
  });
});
