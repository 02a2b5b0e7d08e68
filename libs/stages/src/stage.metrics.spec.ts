import { topicNames, type Chunk, type DeadLetter } from '@brokered-etl/contracts';
import { EtlError } from '@brokered-etl/errors';
import type { AvroRegistry, HandlerContext, InboundMessage, MessageProducer } from '@brokered-etl/messaging';
import { createSilentLogger } from '@brokered-etl/observability';
import type { AnyPipeline } from '@brokered-etl/pipeline-kit';
import { createMemoryStagingStore, createMemoryTargetWriter } from '@brokered-etl/staging';
import { recordingDeadLetters } from './dead-letters';
import { createLoadHandler } from './load.handler';
import { createMemoryStageMetrics } from './stage.metrics';
import type { LoaderDeps } from './stage.deps';
import { createTransformHandler } from './transform.handler';

/** Handlers count records per pipeline through the metrics port, once per chunk of work done. */
describe('stage metrics port', () => {
  const pipeline: AnyPipeline = {
    name: 'numbers',
    description: 'even numbers pass, odd ones fail validation',
    params: {},
    extractedRecord: { type: 'record', name: 'N', fields: [] },
    transformedRecord: { type: 'record', name: 'N', fields: [] },
    openSource: async function* () {
      yield { n: 0 };
    },
    createTransform: async () => (raw: { n: number }) => {
      if (raw.n % 2) throw new EtlError('VALIDATION_FAILED', `odd ${raw.n}`);
      return { n: raw.n, id: `n${raw.n}` };
    },
    target: { collection: 'numbers', documentOf: (out: { id: string }) => ({ _id: out.id, ...out }) },
  };

  function setUp() {
    const metrics = createMemoryStageMetrics();
    const staging = createMemoryStagingStore();
    const published: DeadLetter[] = [];
    const registry = { encode: async (_id: number, value: unknown) => Buffer.from(JSON.stringify(value)) } as unknown as AvroRegistry;
    const producer: MessageProducer = { send: async () => undefined, sendRaw: async () => undefined, connect: async () => undefined, disconnect: async () => undefined };
    const deps: LoaderDeps = {
      pipelines: { find: (name) => (name === pipeline.name ? pipeline : undefined), names: () => [pipeline.name] },
      staging,
      producer,
      registry,
      topics: topicNames('unit'),
      schemas: { trigger: 1, events: 2, dlq: 3, extracted: new Map([[pipeline.name, 4]]), transformed: new Map([[pipeline.name, 5]]) },
      events: { emit: async () => undefined },
      deadLetters: recordingDeadLetters({ publish: async (d) => void published.push(d) }, staging, metrics),
      logger: createSilentLogger(),
      metrics,
      target: createMemoryTargetWriter(),
    };
    return { deps, metrics, published };
  }

  const context: HandlerContext = { heartbeat: async () => undefined, signal: new AbortController().signal, logger: createSilentLogger() };
  const message = <T>(value: T): InboundMessage<T> => ({ value, topic: 'unit.numbers.x', partition: 0, offset: '0', key: null, rawValue: null, headers: {}, rawHeaders: [], attempt: 1 });
  const chunkOf = (numbers: number[]): Chunk<Record<string, unknown>> => ({ runId: 'r1', pipeline: 'numbers', chunkSeq: 0, firstRecordIndex: 0, records: numbers.map((n) => ({ n })) });

  it('the transformer counts in, out and rejected, and each rejected record as a dead letter', async () => {
    const { deps, metrics, published } = setUp();
    await createTransformHandler(deps)(message(chunkOf([0, 1, 2, 3, 4])), context);
    expect(metrics.total('in:numbers')).toBe(5);
    expect(metrics.total('out:numbers')).toBe(3);
    expect(metrics.total('rejected:numbers')).toBe(2);
    expect(published).toHaveLength(2);
    expect(metrics.total('deadLettered:numbers:VALIDATION_FAILED')).toBe(2);
  });

  it('a chunk that fails (to be retried) is not counted', async () => {
    const { deps, metrics } = setUp();
    deps.producer.send = async () => {
      throw new EtlError('BROKER_UNAVAILABLE', 'broker away');
    };
    await expect(createTransformHandler(deps)(message(chunkOf([0, 2])), context)).rejects.toThrow('broker away');
    expect(metrics.totals.size).toBe(0);
  });

  it('the loader counts records in and documents written', async () => {
    const { deps, metrics } = setUp();
    await createLoadHandler(deps)(message({ ...chunkOf([]), records: [{ n: 0, id: 'n0' }, { n: 2, id: 'n2' }] }), context);
    expect(metrics.total('in:numbers')).toBe(2);
    expect(metrics.total('out:numbers')).toBe(2);
  });

  it('a dead letter that cannot be published is not counted', async () => {
    const metrics = createMemoryStageMetrics();
    const sink = recordingDeadLetters({ publish: () => Promise.reject(new Error('no broker')) }, createMemoryStagingStore(), metrics);
    await expect(sink.publish({ pipeline: 'numbers', errorCode: 'DECODE_FAILED' } as DeadLetter)).rejects.toThrow('no broker');
    expect(metrics.totals.size).toBe(0);
  });
});
