import type { Chunk } from '@brokered-etl/contracts';
import type { InboundMessage } from '@brokered-etl/messaging';
import type { AnyPipeline, TransformContext } from '@brokered-etl/pipeline-kit';
import { fakeHandlerContext, fakeStageDeps, numbersPipeline } from './stage-deps.fixture';
import { createTransformHandler } from './transform.handler';

/** A record that fails validation is dead-lettered alone, as a one-record chunk that can be redriven. */
describe('transformer record-level dead letters', () => {
  it('carries the chunk lineage, the record, and the message headers with replay-of pointing at the record', async () => {
    const at = new Date('2026-01-02T03:04:05Z');
    const { deps, published } = fakeStageDeps({ now: () => at });
    const context = fakeHandlerContext();
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

describe('transformer: the source identity of the run', () => {
  const chunkOf = (runId: string, chunkSeq: number): InboundMessage<Chunk<Record<string, unknown>>> => ({
    value: { runId, pipeline: 'numbers', chunkSeq, firstRecordIndex: chunkSeq * 2, records: [{ n: chunkSeq * 2 }] },
    topic: 'unit.numbers.extracted', partition: 0, offset: String(chunkSeq), key: null, rawValue: null, headers: {}, rawHeaders: [], attempt: 1,
  });

  /** numbersPipeline whose transform notes the context it is given; staging counts plan reads. */
  function setup() {
    const fake = fakeStageDeps();
    const seen: Array<TransformContext['source']> = [];
    const spying: AnyPipeline = { ...numbersPipeline, createTransform: async () => (raw: { n: number }, context: TransformContext) => (seen.push(context.source), { n: raw.n, id: `n${raw.n}` }) };
    fake.deps.pipelines = { find: (name) => (name === 'numbers' ? spying : undefined), names: () => ['numbers'] };
    let planReads = 0;
    const getPlan = fake.staging.getPlan.bind(fake.staging);
    fake.staging.getPlan = async (runId) => (planReads++, getPlan(runId));
    const plan = async (runId: string, sourceId?: string) => {
      await fake.staging.createRun({ runId, pipeline: 'numbers', params: { source: `data/${runId}/numbers.json` }, requestedBy: 'test', status: 'running', requestedAt: new Date() });
      await fake.staging.savePlan({ runId, pipeline: 'numbers', fingerprint: 'f', ...(sourceId ? { sourceId } : {}), totalRecords: 4, splitRecords: 4, splitWindow: 1, splits: [], plannedAt: new Date() });
    };
    return { ...fake, seen, plan, planReads: () => planReads };
  }

  it('gives the transform the identity staged with the plan, read once per run', async () => {
    const { deps, seen, plan, planReads } = setup();
    await plan('r-2024', '2024/numbers.json');
    await plan('r-2025', '2025/numbers.json');
    const transform = createTransformHandler(deps);
    for (const message of [chunkOf('r-2024', 0), chunkOf('r-2025', 0), chunkOf('r-2024', 1), chunkOf('r-2025', 1)]) await transform(message, fakeHandlerContext());
    expect(seen).toEqual([{ id: '2024/numbers.json' }, { id: '2025/numbers.json' }, { id: '2024/numbers.json' }, { id: '2025/numbers.json' }]);
    expect(planReads()).toBe(2);
  });

  it('gives none for a run planned before plans named their source (the pipeline keeps its old keys)', async () => {
    const { deps, seen, plan } = setup();
    await plan('r-old');
    await createTransformHandler(deps)(chunkOf('r-old', 0), fakeHandlerContext());
    expect(seen).toEqual([undefined]);
  });
});
