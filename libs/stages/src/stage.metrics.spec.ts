import type { Chunk, DeadLetter } from '@brokered-etl/contracts';
import { EtlError } from '@brokered-etl/errors';
import type { InboundMessage } from '@brokered-etl/messaging';
import { createMemoryStagingStore } from '@brokered-etl/staging';
import { recordingDeadLetters } from './dead-letters';
import { createLoadHandler } from './load.handler';
import { fakeHandlerContext, fakeStageDeps as setUp } from './stage-deps.fixture';
import { createMemoryStageMetrics } from './stage.metrics';
import { createTransformHandler } from './transform.handler';

/** Handlers count records per pipeline through the metrics port, once per chunk of work done. */
describe('stage metrics port', () => {
  const context = fakeHandlerContext();
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
