import { topicNames, type Chunk, type DeadLetter } from '@brokered-etl/contracts';
import { EtlError } from '@brokered-etl/errors';
import type { AvroRegistry, HandlerContext, InboundMessage, MessageProducer } from '@brokered-etl/messaging';
import { createSilentLogger } from '@brokered-etl/observability';
import type { AnyPipeline } from '@brokered-etl/pipeline-kit';
import { createMemoryStagingStore } from '@brokered-etl/staging';
import { createMemoryStageMetrics } from './stage.metrics';
import type { StageDeps } from './stage.deps';
import { createTransformHandler } from './transform.handler';

/** A record that fails validation is dead-lettered alone, as a one-record chunk that can be redriven. */
describe('transformer record-level dead letters', () => {
  const pipeline: AnyPipeline = {
    name: 'numbers',
    description: 'odd numbers fail validation',
    params: {},
    extractedRecord: { type: 'record', name: 'N', fields: [] },
    transformedRecord: { type: 'record', name: 'N', fields: [] },
    openSource: async function* () {
      yield { n: 0 };
    },
    createTransform: async () => (raw: { n: number }) => {
      if (raw.n % 2) throw new EtlError('VALIDATION_FAILED', `odd ${raw.n}`);
      return raw;
    },
    target: { collection: 'numbers', documentOf: (out: { n: number }) => ({ _id: String(out.n) }) },
  };

  it('carries the chunk lineage, the record, and the message headers with replay-of pointing at the record', async () => {
    const published: DeadLetter[] = [];
    const at = new Date('2026-01-02T03:04:05Z');
    const registry = { encode: async (id: number, value: unknown) => Buffer.from(JSON.stringify({ id, value })) } as unknown as AvroRegistry;
    const producer: MessageProducer = { send: async () => undefined, sendRaw: async () => undefined, connect: async () => undefined, disconnect: async () => undefined };
    const deps: StageDeps = {
      pipelines: { find: (name) => (name === pipeline.name ? pipeline : undefined), names: () => [pipeline.name] },
      staging: createMemoryStagingStore(),
      producer,
      registry,
      topics: topicNames('unit'),
      schemas: { trigger: 1, events: 2, dlq: 3, extracted: new Map([[pipeline.name, 4]]), transformed: new Map([[pipeline.name, 5]]) },
      events: { emit: async () => undefined },
      deadLetters: { publish: async (d) => void published.push(d) },
      logger: createSilentLogger(),
      metrics: createMemoryStageMetrics(),
      now: () => at,
    };
    const context: HandlerContext = { heartbeat: async () => undefined, signal: new AbortController().signal, logger: createSilentLogger() };
    const chunk: Chunk<Record<string, unknown>> = { runId: 'r1', pipeline: 'numbers', chunkSeq: 2, firstRecordIndex: 10, records: [{ n: 0 }, { n: 1 }] };
    const rawHeaders = [
      { key: 'etl-run-id', value: Buffer.from('r1') },
      { key: 'etl-replay-of', value: Buffer.from('rerun:x:1') },
      { key: 'etl-redrive-of', value: Buffer.from('old-letter') },
      { key: 'etl-trace-id', value: Buffer.from('t') },
    ];
    const message: InboundMessage<typeof chunk> = {
      value: chunk,
      topic: 'unit.numbers.extracted',
      partition: 1,
      offset: '9',
      key: Buffer.from('r1:2'),
      rawValue: Buffer.from('whole chunk'),
      headers: { 'etl-run-id': 'r1', 'etl-trace-id': 't' },
      rawHeaders,
      attempt: 2,
    };

    await createTransformHandler(deps)(message, context);

    expect(published).toEqual([
      {
        id: 'transformer:r1:2:11',
        runId: 'r1',
        pipeline: 'numbers',
        stage: 'transformer',
        errorCode: 'VALIDATION_FAILED',
        errorMessage: 'odd 1',
        attempts: 2,
        failedAt: at,
        topic: 'unit.numbers.extracted',
        partition: 1,
        offset: '9',
        key: Buffer.from('r1:2'),
        value: Buffer.from(JSON.stringify({ id: 4, value: { runId: 'r1', pipeline: 'numbers', chunkSeq: 2, firstRecordIndex: 11, records: [{ n: 1 }] } })),
        headers: [
          { key: 'etl-run-id', value: Buffer.from('r1') },
          { key: 'etl-trace-id', value: Buffer.from('t') },
          { key: 'etl-replay-of', value: Buffer.from('record:11') },
        ],
        chunkSeq: 2,
        recordIndex: 11,
        record: JSON.stringify({ n: 1 }),
      },
    ]);
  });
});
