import { chunkRecords } from './chunker';

async function* from<T>(items: T[]) {
  yield* items;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('chunkRecords', () => {
  it('cuts by record count and keeps source positions', async () => {
    const chunks = await collect(chunkRecords(from([1, 2, 3, 4, 5]), { maxRecords: 2, maxBytes: 1e9 }));
    expect(chunks).toEqual([
      { chunkSeq: 0, firstRecordIndex: 0, records: [1, 2] },
      { chunkSeq: 1, firstRecordIndex: 2, records: [3, 4] },
      { chunkSeq: 2, firstRecordIndex: 4, records: [5] },
    ]);
  });

  it('cuts by bytes, but never leaves a chunk empty', async () => {
    const chunks = await collect(chunkRecords(from(['aaaa', 'bb', 'cccccccc']), { maxRecords: 100, maxBytes: 7 }, (s) => s.length));
    expect(chunks.map((c) => c.records)).toEqual([['aaaa', 'bb'], ['cccccccc']]);
  });

  it('yields nothing for an empty source', async () => {
    expect(await collect(chunkRecords(from([]), { maxRecords: 2, maxBytes: 10 }))).toEqual([]);
  });
});
