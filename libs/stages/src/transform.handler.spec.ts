import type { Chunk } from '@brokered-etl/contracts';
import type { InboundMessage } from '@brokered-etl/messaging';
import { fakeHandlerContext, fakeStageDeps } from './stage-deps.fixture';
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
