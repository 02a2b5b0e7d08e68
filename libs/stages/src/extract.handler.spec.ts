import { HEADERS, type ExtractSplit, type RunRequested } from '@brokered-etl/contracts';
import type { InboundMessage } from '@brokered-etl/messaging';
import { createExtractHandler } from './extract.handler';
import { CHUNKS_PER_SPLIT } from './split.handler';
import { fakeHandlerContext, fakeStageDeps } from './stage-deps.fixture';

const inbound = <T>(topic: string, value: T, headers: Record<string, string> = {}): InboundMessage<T> => ({
  value, topic, partition: 0, offset: '0', key: null, rawValue: null, headers, rawHeaders: [], attempt: 1,
});

function setup(count: number, extraction = { splitRecords: 3, splitWindow: 2 }) {
  const fake = fakeStageDeps({ extraction });
  const extract = createExtractHandler(fake.deps);
  const trigger: RunRequested = { runId: `r-${count}`, pipeline: 'numbers', params: { count: String(count) }, requestedAt: new Date(), requestedBy: 'test' };
  const splitsQueued = () => fake.sent.filter((m) => m.topic === fake.deps.topics.splits).map((m) => m.value as ExtractSplit);
  /** Feeds every queued split to the handler (as the splits topic would) until none is left. */
  async function drain(): Promise<number> {
    let handled = 0;
    while (handled < splitsQueued().length) await extract(inbound(fake.deps.topics.splits, splitsQueued()[handled++]!), fakeHandlerContext());
    return handled;
  }
  return { ...fake, extract, trigger, splitsQueued, drain };
}

describe('extractor: a trigger is planned into splits, each split extracted on its own (ADR 0004)', () => {
  it('extracts every record once, in chunks with deterministic ids, and ends the source when the last split is done', async () => {
    const { extract, trigger, drain, sent, staging, deps } = setup(10);
    await extract(inbound(deps.topics.trigger, trigger), fakeHandlerContext());
    expect((await staging.getRun(trigger.runId))?.splitCount).toBe(4); // 3+3+3+1
    expect(await drain()).toBe(4);

    const chunks = sent.filter((m) => m.topic === deps.topics.data('numbers', 'extracted')).map((m) => m.value as { chunkSeq: number; firstRecordIndex: number; records: Array<{ n: number }> });
    expect(chunks.flatMap((c) => c.records.map((r) => r.n)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(chunks.map((c) => c.chunkSeq).sort((a, b) => a - b)).toEqual([0, 1, CHUNKS_PER_SPLIT, CHUNKS_PER_SPLIT + 1, 2 * CHUNKS_PER_SPLIT, 2 * CHUNKS_PER_SPLIT + 1, 3 * CHUNKS_PER_SPLIT]);
    for (const chunk of chunks) expect(chunk.records[0]!.n).toBe(chunk.firstRecordIndex);
    const run = await staging.getRun(trigger.runId);
    expect(run).toMatchObject({ totalChunks: 7, totalRecords: 10 });
    expect((await staging.countRun(trigger.runId)).extracted).toBe(10);
  });

  it('never queues more than the window of one run at a time', async () => {
    const { extract, trigger, splitsQueued, deps } = setup(30, { splitRecords: 3, splitWindow: 2 });
    await extract(inbound(deps.topics.trigger, trigger), fakeHandlerContext());
    expect(splitsQueued().map((s) => s.splitSeq)).toEqual([0, 1]);
    await extract(inbound(deps.topics.splits, splitsQueued()[0]!), fakeHandlerContext());
    expect(splitsQueued().map((s) => s.splitSeq)).toEqual([0, 1, 2]);
  });

  it('a redelivered split counts nothing twice, and still queues its successor (a crash after the mark must not break the chain)', async () => {
    const { extract, trigger, splitsQueued, staging, deps } = setup(9);
    await extract(inbound(deps.topics.trigger, trigger), fakeHandlerContext());
    const first = splitsQueued()[0]!;
    await extract(inbound(deps.topics.splits, first), fakeHandlerContext());
    await extract(inbound(deps.topics.splits, first), fakeHandlerContext());
    expect((await staging.countRun(trigger.runId)).extracted).toBe(3);
    expect(splitsQueued().filter((s) => s.splitSeq === 2)).toHaveLength(2); // the duplicate finds split 2 done and skips it
  });

  it('a split redone after a crash sends only the chunks it had not produced yet', async () => {
    const { extract, trigger, splitsQueued, staging, sent, deps } = setup(6, { splitRecords: 6, splitWindow: 2 });
    await extract(inbound(deps.topics.trigger, trigger), fakeHandlerContext());
    const chunksOut = () => sent.filter((m) => m.topic === deps.topics.data('numbers', 'extracted')).map((m) => (m.value as { chunkSeq: number }).chunkSeq);
    const send = deps.producer.send;
    let sends = 0;
    deps.producer.send = async (topic, messages) => {
      if (topic === deps.topics.data('numbers', 'extracted') && ++sends === 2) throw new Error('killed while producing chunk 1');
      return send(topic, messages);
    };
    await expect(extract(inbound(deps.topics.splits, splitsQueued()[0]!), fakeHandlerContext())).rejects.toThrow(/killed/);
    deps.producer.send = send;
    await extract(inbound(deps.topics.splits, splitsQueued()[0]!), fakeHandlerContext());
    expect(chunksOut()).toEqual([0, 1, 2]); // chunk 0 once: the redo skipped it
    expect(await staging.getRun(trigger.runId)).toMatchObject({ totalChunks: 3, totalRecords: 6 });
  });

  it('a redelivered trigger reuses the staged plan', async () => {
    const { extract, trigger, drain, staging, deps } = setup(7);
    await extract(inbound(deps.topics.trigger, trigger), fakeHandlerContext());
    // the source's identity is decided here, once, and staged with the plan for the transformer's keys
    expect((await staging.getPlan(trigger.runId))?.sourceId).toBe('numbers');
    await extract(inbound(deps.topics.trigger, { ...trigger, params: { count: '100' } }), fakeHandlerContext());
    await drain();
    expect((await staging.getRun(trigger.runId))?.totalRecords).toBe(7);
  });

  it('an empty source completes its run at planning: no split, no chunk will ever come', async () => {
    const { extract, trigger, splitsQueued, staging, deps } = setup(0);
    await extract(inbound(deps.topics.trigger, trigger), fakeHandlerContext());
    expect(splitsQueued()).toEqual([]);
    expect((await staging.getRun(trigger.runId))?.status).toBe('completed');
  });

  it('skips the splits of a failed run, and a redriven split resumes it', async () => {
    const { extract, trigger, splitsQueued, staging, deps } = setup(6);
    await extract(inbound(deps.topics.trigger, trigger), fakeHandlerContext());
    await staging.failRun(trigger.runId, { code: 'RETRIES_EXHAUSTED', message: 'split 0 gave up' }, new Date());
    await extract(inbound(deps.topics.splits, splitsQueued()[0]!), fakeHandlerContext());
    expect((await staging.countRun(trigger.runId)).extracted).toBe(0);
    const queuedBefore = splitsQueued().length;
    await extract(inbound(deps.topics.splits, splitsQueued()[0]!, { [HEADERS.redriveOf]: 'letter-1' }), fakeHandlerContext());
    // the window is queued again: chains that ended while the run was failed go on
    expect(splitsQueued().slice(queuedBefore).map((s) => s.splitSeq)).toEqual([0, 1]);
    await extract(inbound(deps.topics.splits, splitsQueued()[1]!), fakeHandlerContext());
    const run = await staging.getRun(trigger.runId);
    expect(run?.status).toBe('running');
    expect(run).toMatchObject({ totalRecords: 6, totalChunks: 4 });
  });

  it.each([
    ['an undeclared param', { count: '3', file: '/etc/passwd' }, 'file'],
    ['a value its declaration refuses', { count: 'many' }, 'count'],
  ])('checks the params again at planning: %s in a trigger produced without run control fails the run, queues nothing', async (_, params, field) => {
    const { extract, trigger, splitsQueued, staging, deps } = setup(3);
    await expect(extract(inbound(deps.topics.trigger, { ...trigger, params }), fakeHandlerContext())).rejects.toMatchObject({ code: 'BAD_PARAMS', details: { field } });
    expect(splitsQueued()).toEqual([]);
    expect((await staging.getRun(trigger.runId))?.failure?.code).toBe('BAD_PARAMS');
  });

  it('refuses a split whose source changed since planning (permanent)', async () => {
    const { extract, trigger, splitsQueued, deps } = setup(6);
    await extract(inbound(deps.topics.trigger, trigger), fakeHandlerContext());
    const split = { ...splitsQueued()[0]!, params: { count: '7' } };
    await expect(extract(inbound(deps.topics.splits, split), fakeHandlerContext())).rejects.toMatchObject({ code: 'SOURCE_CHANGED' });
  });

  it('stops a split when its signal is aborted (rebalance or shutdown), leaving it undone for the next owner', async () => {
    const { extract, trigger, splitsQueued, staging, deps } = setup(6);
    await extract(inbound(deps.topics.trigger, trigger), fakeHandlerContext());
    const aborted = new AbortController();
    aborted.abort();
    await expect(extract(inbound(deps.topics.splits, splitsQueued()[0]!), { ...fakeHandlerContext(), signal: aborted.signal })).rejects.toThrow(/abandoned/);
    expect((await staging.countRun(trigger.runId)).splitsExtracted).toBe(0);
  });
});
