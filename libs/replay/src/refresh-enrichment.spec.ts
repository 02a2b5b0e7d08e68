import { topicNames } from '@brokered-etl/contracts';
import type { MessageProducer } from '@brokered-etl/messaging';
import { createMemoryStagingStore } from '@brokered-etl/staging';
import { redriveDeadLetters } from './dead-letter-redrive';
import { rerunFromStaging } from './rerun';

/** --refresh-enrichment travels as a header with the time it was asked; without it nothing tells the transformer to call again. */
describe('refresh of staged enrichment answers', () => {
  const at = new Date('2026-12-02T08:00:00.000Z');

  async function setup() {
    const staging = createMemoryStagingStore();
    await staging.createRun({ runId: 'r1', pipeline: 'p', params: {}, requestedBy: 'test', status: 'requested', requestedAt: at });
    await staging.stageChunk({ runId: 'r1', pipeline: 'p', stage: 'extracted', chunkSeq: 0, firstRecordIndex: 0, recordCount: 1, payload: Buffer.from('c'), stagedAt: at });
    await staging.markChunk('r1', 0, { extracted: { records: 1, at } }); // a rerun re-emits the chunks its ledger lists
    await staging.markSourceEnded('r1', { totalChunks: 1, totalRecords: 1 }, at);
    const sent: Array<{ headers?: Record<string, string | Buffer> }> = [];
    const producer = { send: async (_t: string, m: typeof sent) => void sent.push(...m), sendRaw: async (_t: string, m: typeof sent) => void sent.push(...m) } as unknown as MessageProducer;
    return { staging, sent, deps: { staging, producer, topics: topicNames('unit'), now: () => at } };
  }

  it('a rerun carries the refresh time only when asked', async () => {
    const { sent, deps } = await setup();
    await rerunFromStaging(deps, 'r1', 'transform');
    await rerunFromStaging(deps, 'r1', 'transform', undefined, { refreshEnrichment: true });
    expect(sent.map((m) => m.headers?.['etl-enrichment-refresh-at'])).toEqual([undefined, '2026-12-02T08:00:00.000Z']);
  });

  it('a redrive carries it too', async () => {
    const { staging, sent, deps } = await setup();
    await staging.recordDeadLetter({
      id: 'd1', runId: 'r1', pipeline: 'p', stage: 'transformer', errorCode: 'ENRICHMENT_REFUSED', errorMessage: 'no', attempts: 1, failedAt: at,
      topic: 'unit.p.extracted', partition: 0, offset: '0', key: Buffer.from('k'), value: Buffer.from('v'), headers: [], chunkSeq: 0, recordIndex: 0, record: '{}',
    });
    await redriveDeadLetters(deps, { ids: ['d1'] }, { refreshEnrichment: true });
    expect(sent[0].headers?.['etl-enrichment-refresh-at']).toEqual(Buffer.from('2026-12-02T08:00:00.000Z'));
  });
});
