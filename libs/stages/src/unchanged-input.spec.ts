import { HEADERS, type Chunk, type ExtractSplit, type RunRequested } from '@brokered-etl/contracts';
import { EtlError } from '@brokered-etl/errors';
import type { InboundMessage } from '@brokered-etl/messaging';
import type { AnyPipeline } from '@brokered-etl/pipeline-kit';
import { createExtractHandler } from './extract.handler';
import { createLoadHandler } from './load.handler';
import { fakeHandlerContext, fakeStageDeps, numbersPipeline } from './stage-deps.fixture';
import { createTransformHandler } from './transform.handler';

type Sent = ReturnType<typeof fakeStageDeps>['sent'][number];
const inbound = <T>(message: Pick<Sent, 'topic' | 'value' | 'headers'>): InboundMessage<T> => ({
  value: message.value as T,
  topic: message.topic,
  partition: 0,
  offset: '0',
  key: null,
  rawValue: null,
  headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
  rawHeaders: [],
  attempt: 1,
});

/** numbers whose transform passes every record (so every chunk is clean), unless told which to reject */
const passing = (rejectN?: number): AnyPipeline => ({
  ...numbersPipeline,
  createTransform: async () => (raw: { n: number }) => {
    if (raw.n === rejectN) throw new EtlError('VALIDATION_FAILED', `rejected ${raw.n}`);
    return { n: raw.n, id: `n${raw.n}` };
  },
});

function setup(pipeline: AnyPipeline = passing(), options: { codeVersion?: string } = { codeVersion: 'code-1' }) {
  const fake = fakeStageDeps({ extraction: { splitRecords: 4, splitWindow: 2 } });
  fake.deps.pipelines = { find: (name) => (name === pipeline.name ? pipeline : undefined), names: () => [pipeline.name] };
  fake.deps.codeVersion = options.codeVersion;
  const handlers = { extract: createExtractHandler(fake.deps), transform: createTransformHandler(fake.deps), load: createLoadHandler(fake.deps) };
  const topics = fake.deps.topics;
  let done = 0;

  /** One run through every stage, each message handled as its topic would deliver it; returns what the extractor sent. */
  async function run(runId: string, params: Record<string, string> = { count: '10' }) {
    const trigger: RunRequested = { runId, pipeline: pipeline.name, params, requestedAt: new Date(), requestedBy: 'test' };
    await handlers.extract(inbound({ topic: topics.trigger, value: trigger, headers: {} }), fakeHandlerContext());
    const extractedBefore = fake.sent.filter((m) => m.topic === topics.data(pipeline.name, 'extracted')).length;
    while (done < fake.sent.length) {
      const message = fake.sent[done++]!;
      if (message.topic === topics.splits) await handlers.extract(inbound<ExtractSplit>(message), fakeHandlerContext());
      if (message.topic === topics.data(pipeline.name, 'extracted')) await handlers.transform(inbound<Chunk<Record<string, unknown>>>(message), fakeHandlerContext());
      if (message.topic === topics.data(pipeline.name, 'transformed')) await handlers.load(inbound<Chunk<Record<string, unknown>>>(message), fakeHandlerContext());
    }
    const extracted = fake.sent.filter((m) => m.topic === topics.data(pipeline.name, 'extracted')).slice(extractedBefore);
    return { extracted, run: await fake.staging.getRun(runId), counts: await fake.staging.countRun(runId) };
  }
  return { ...fake, run };
}

describe('unchanged input: a chunk an earlier run loaded clean is skipped at extraction', () => {
  it('a second run of the same input sends nothing on, counts every record, and completes', async () => {
    const { run } = setup();
    const first = await run('r1');
    expect(first.extracted).toHaveLength(5);
    expect(first.extracted.every((m) => typeof m.headers?.[HEADERS.inputKey] === 'string')).toBe(true);
    expect(first.run?.status).toBe('completed');

    const second = await run('r2');
    expect(second.extracted).toHaveLength(0);
    expect(second.run?.status).toBe('completed');
    expect(second.counts).toMatchObject({ extracted: 10, transformed: 10, rejected: 0, loaded: 10, chunksExtracted: 5, chunksLoaded: 5, chunksSkipped: 5 });
  });

  it('skips only what is unchanged: other params, a grown source and a rejected record all go through', async () => {
    const { run } = setup(passing(3));
    await run('r1');
    const again = await run('r2');
    // the chunk holding record 3 lost it to a rejection: never marked, so it is sent (and rejected) again
    expect(again.extracted.map((m) => (m.value as Chunk<{ n: number }>).records.map((r) => r.n))).toEqual([[2, 3]]);
    expect(again.counts).toMatchObject({ extracted: 10, rejected: 1, loaded: 9, chunksSkipped: 4 });

    const grown = await run('r3', { count: '12' });
    expect(grown.extracted).toHaveLength(6); // another param value: another key for every chunk
  });

  it('goes through again when the code changed', async () => {
    const { deps, run } = setup();
    await run('r1');
    deps.codeVersion = 'code-2';
    expect((await run('r2')).extracted).toHaveLength(5);
    expect((await run('r3')).extracted).toHaveLength(0); // r2 recorded them under code-2
  });

  it('goes through again when the target no longer holds what was loaded', async () => {
    const { deps, run } = setup();
    await run('r1');
    // someone rewrote the first chunk's documents behind the loader: its digest entry no longer matches
    await deps.target.upsertMany('numbers', [{ _id: 'n0', n: -1 }, { _id: 'n1', n: -1 }], { digest: 'other' });
    const after = await run('r2');
    expect(after.extracted.map((m) => (m.value as Chunk<{ n: number }>).firstRecordIndex)).toEqual([0]);
    expect(after.counts).toMatchObject({ loaded: 10, chunksSkipped: 4 });
  });

  it('never skips without a code version (SKIP_UNCHANGED_INPUT=false) or for a pipeline that calls a service', async () => {
    const off = setup(passing(), { codeVersion: undefined });
    await off.run('r1');
    expect((await off.run('r2')).extracted).toHaveLength(5);
    expect(off.sent.some((m) => m.headers?.[HEADERS.inputKey] !== undefined)).toBe(false);
  });
});
