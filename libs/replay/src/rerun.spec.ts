import { topicNames } from '@brokered-etl/contracts';
import type { MessageProducer } from '@brokered-etl/messaging';
import { createMemoryStagingStore } from '@brokered-etl/staging';
import { rerunFromStaging } from './rerun';

describe('rerun from staging of a run that skipped unchanged input', () => {
  it('is refused before the run reopens, saying why and what to do instead', async () => {
    const at = new Date('2026-12-02T08:00:00.000Z');
    const staging = createMemoryStagingStore();
    await staging.createRun({ runId: 'r2', pipeline: 'p', params: {}, requestedBy: 'test', status: 'completed', requestedAt: at });
    // chunk 0 went through and is staged; chunk 1 was skipped (an earlier run r1 loaded the same input)
    await staging.stageChunk({ runId: 'r2', pipeline: 'p', stage: 'extracted', chunkSeq: 0, firstRecordIndex: 0, recordCount: 1, payload: Buffer.from('c'), stagedAt: at });
    await staging.markChunk('r2', 0, { extracted: { records: 1, at } });
    await staging.markChunk('r2', 1, { extracted: { records: 1, at, unchangedSince: 'r1' } });
    await staging.markSourceEnded('r2', { totalChunks: 2, totalRecords: 2 }, at);
    const sent: unknown[] = [];
    const producer = { send: async (_t: string, m: unknown[]) => void sent.push(...m) } as unknown as MessageProducer;

    await expect(rerunFromStaging({ staging, producer, topics: topicNames('unit') }, 'r2', 'transform')).rejects.toThrow(
      /run "r2" skipped 1 chunk\(s\) as unchanged input \(run "r1" had loaded the same records.*rerun that run instead, or trigger a new run with the extractors' SKIP_UNCHANGED_INPUT=false/,
    );
    expect(sent).toHaveLength(0);
    expect((await staging.getRun('r2'))?.generation).toBeUndefined();
  });
});
