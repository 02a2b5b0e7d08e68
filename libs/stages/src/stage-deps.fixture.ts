import { topicNames, type DeadLetter } from '@brokered-etl/contracts';
import { EtlError } from '@brokered-etl/errors';
import type { AvroRegistry, HandlerContext, MessageProducer } from '@brokered-etl/messaging';
import { createSilentLogger } from '@brokered-etl/observability';
import type { AnyPipeline } from '@brokered-etl/pipeline-kit';
import { createMemoryStagingStore, createMemoryTargetWriter } from '@brokered-etl/staging';
import { recordingDeadLetters } from './dead-letters';
import { createMemoryStageMetrics } from './stage.metrics';
import type { LoaderDeps } from './stage.deps';

/** For handler unit tests: even numbers pass, odd ones fail validation. */
export const numbersPipeline: AnyPipeline = {
  name: 'numbers',
  description: 'even numbers pass, odd ones fail validation',
  params: { count: { description: 'how many records', type: 'integer', min: 0 } },
  extractedRecord: { type: 'record', name: 'N', fields: [] },
  transformedRecord: { type: 'record', name: 'N', fields: [] },
  // param count=N: the records {n: 0} … {n: N-1}, cut into row-range splits
  source: {
    async plan(params, { splitRecords }) {
      const count = Number(params['count'] ?? 1);
      const splits = [];
      for (let start = 0; start < count; start += splitRecords) {
        const end = Math.min(count, start + splitRecords);
        splits.push({ splitSeq: splits.length, firstRecordIndex: start, recordCount: end - start, range: { unit: 'rows' as const, start, end } });
      }
      return { fingerprint: `count:${count}`, sourceId: 'numbers', totalRecords: count, splits };
    },
    async *read(params, split, fingerprint) {
      if (fingerprint !== `count:${params['count'] ?? 1}`) throw new EtlError('SOURCE_CHANGED', 'count changed');
      for (let n = split.range.start; n < split.range.end; n++) yield { n };
    },
  },
  chunkLimits: { maxRecords: 2 },
  createTransform: async () => (raw: { n: number }) => {
    if (raw.n % 2) throw new EtlError('VALIDATION_FAILED', `odd ${raw.n}`);
    return { n: raw.n, id: `n${raw.n}` };
  },
  target: { collection: 'numbers', documentOf: (out: { id: string }) => ({ _id: out.id, ...out }) },
};

/**
 * A handler's dependencies in memory around numbersPipeline: the registry
 * "encodes" `{id, value}` as JSON, the producer accepts everything, and dead
 * letters are recorded (staging, metrics) and kept in `published`.
 */
export function fakeStageDeps(options: { now?: () => Date; extraction?: LoaderDeps['extraction'] } = {}) {
  const metrics = createMemoryStageMetrics();
  const staging = createMemoryStagingStore();
  const published: DeadLetter[] = [];
  const registry = { encode: async (id: number, value: unknown) => Buffer.from(JSON.stringify({ id, value })) } as unknown as AvroRegistry;
  const sent: Array<{ topic: string; key: string | Buffer | null; value: unknown; headers?: Record<string, string | Buffer> }> = [];
  // what was produced, decoded back from the fake registry's JSON
  const producer: MessageProducer = {
    send: async (topic, messages) => void sent.push(...messages.map((m) => ({ topic, key: m.key, value: (JSON.parse(m.value.toString()) as { value: unknown }).value, headers: m.headers }))),
    sendRaw: async () => undefined,
    connect: async () => undefined,
    disconnect: async () => undefined,
  };
  const deps: LoaderDeps = {
    pipelines: { find: (name) => (name === numbersPipeline.name ? numbersPipeline : undefined), names: () => [numbersPipeline.name] },
    staging,
    producer,
    registry,
    topics: topicNames('unit'),
    schemas: { trigger: 1, splits: 6, events: 2, dlq: 3, extracted: new Map([[numbersPipeline.name, 4]]), transformed: new Map([[numbersPipeline.name, 5]]) },
    events: { emit: async () => undefined },
    deadLetters: recordingDeadLetters({ publish: async (d) => void published.push(d) }, staging, metrics),
    logger: createSilentLogger(),
    metrics,
    target: createMemoryTargetWriter(),
    now: options.now,
    extraction: options.extraction,
  };
  return { deps, metrics, published, sent, staging };
}

export const fakeHandlerContext = (): HandlerContext => ({ heartbeat: async () => undefined, signal: new AbortController().signal, logger: createSilentLogger() });
