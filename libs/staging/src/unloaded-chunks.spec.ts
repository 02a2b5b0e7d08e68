import type { ChunkLedgerEntry, RunRecord } from './staging.types';
import { createUnloadedChunkMemo, unloadedChunkSeqs } from './unloaded-chunks';

const at = new Date(0);
const extracted = (chunkSeq: number): ChunkLedgerEntry => ({ runId: 'r', chunkSeq, extracted: { records: 5, at } });
const loaded = (chunkSeq: number, generation?: number): ChunkLedgerEntry => ({ runId: 'r', chunkSeq, loaded: { records: 5, at, generation } });
const run = (over: Partial<RunRecord> = {}): RunRecord => ({ runId: 'r', pipeline: 'p', params: {}, requestedBy: 't', status: 'running', requestedAt: at, sourceEndedAt: new Date(1), totalChunks: 4, ...over });

describe('unloadedChunkSeqs', () => {
  it('lists extracted chunks with no load in the generation, in order; splits and record patches are not chunks', () => {
    const entries: ChunkLedgerEntry[] = [
      extracted(3),
      extracted(1),
      extracted(0),
      extracted(2),
      loaded(1),
      loaded(2, 0),
      { runId: 'r', chunkSeq: -1, split: { splitSeq: 0, chunks: 4, records: 20 } },
      { runId: 'r', chunkSeq: 3, recordIndex: 2, loaded: { records: 1, at } },
    ];
    expect(unloadedChunkSeqs(entries)).toEqual([0, 3]);
    expect(unloadedChunkSeqs(entries, 1)).toEqual([0, 1, 2, 3]); // a rerun waits for loads of its own generation
    expect(unloadedChunkSeqs([...entries, loaded(0, 1), loaded(3, 2)], 1)).toEqual([1, 2]);
  });
});

describe('createUnloadedChunkMemo', () => {
  function setup(loadedNow: Set<number>) {
    const reads: number[] = [];
    const memo = createUnloadedChunkMemo(async (_runId, seq) => {
      reads.push(seq);
      return loadedNow.has(seq);
    }, 2);
    return { memo, reads };
  }

  it('knows nothing before a whole-ledger sum: the check must count', async () => {
    const { memo, reads } = setup(new Set());
    expect(await memo.anyStillUnloaded(run())).toBe(false);
    expect(reads).toEqual([]);
  });

  it('reads remembered chunks by id in order, drops the loaded ones and stops at the first still unloaded', async () => {
    const loadedNow = new Set([0]);
    const { memo, reads } = setup(loadedNow);
    memo.remember(run(), [extracted(0), extracted(1), extracted(2), extracted(3), loaded(3)]);
    expect(await memo.anyStillUnloaded(run())).toBe(true);
    expect(reads).toEqual([0, 1]);
    loadedNow.add(2);
    expect(await memo.anyStillUnloaded(run())).toBe(true);
    expect(reads).toEqual([0, 1, 1]); // 0 is not read again
    loadedNow.add(1);
    expect(await memo.anyStillUnloaded(run())).toBe(false); // all seen loaded: now the check counts
    expect(reads).toEqual([0, 1, 1, 1, 2]);
  });

  it('starts over for a new generation or a new end of source, and forgets on request', async () => {
    const { memo, reads } = setup(new Set());
    memo.remember(run(), [extracted(0)]);
    expect(await memo.anyStillUnloaded(run({ generation: 1 }))).toBe(false);
    expect(await memo.anyStillUnloaded(run({ sourceEndedAt: new Date(2) }))).toBe(false);
    expect(reads).toEqual([]);
    expect(await memo.anyStillUnloaded(run())).toBe(true);
    memo.forget('r');
    expect(await memo.anyStillUnloaded(run())).toBe(false);
  });

  it('keeps at most its capacity of runs, forgetting the oldest', async () => {
    const { memo } = setup(new Set());
    for (const runId of ['a', 'b', 'c']) memo.remember(run({ runId }), [extracted(0)]);
    expect(await memo.anyStillUnloaded(run({ runId: 'a' }))).toBe(false);
    expect(await memo.anyStillUnloaded(run({ runId: 'b' }))).toBe(true);
    expect(await memo.anyStillUnloaded(run({ runId: 'c' }))).toBe(true);
  });
});
