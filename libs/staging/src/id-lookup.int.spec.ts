import { integrationEnv, uniqueName } from '@brokered-etl/testing';
import { connectMongo, type MongoConnection } from './mongo.connection';

/**
 * Every staging access path is by `_id` (docs/staging.md), so it must be an
 * index lookup: its cost may not grow with the collection. FerretDB 1.24.2's
 * SQLite backend scanned instead (~100 ms a replace at 20,000 documents, ~2 ms
 * at 200) until local-infra built it with the fix in ferretdb-source.ts; this
 * fails if a build without it (or another server that scans) is in use. The
 * two sizes are timed back to back, so machine load affects both alike; the
 * bound is an order of magnitude below what a scan costs.
 */
describe('lookups by _id on the staging database (real server)', () => {
  let connection: MongoConnection;
  beforeAll(async () => {
    connection = await connectMongo({ url: integrationEnv().mongoUrl, database: uniqueName('it_idlookup').replace(/[.-]/g, '_') });
  });
  afterAll(async () => {
    await connection.db.dropDatabase().catch(() => undefined);
    await connection.close();
  });

  type Doc = { _id: string; pad: string; v: number; status: string };
  const pad = 'x'.repeat(400);
  const median = (times: number[]) => times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;

  async function filled(name: string, size: number) {
    const collection = connection.db.collection<Doc>(`${name}${size}`);
    for (let i = 0; i < size; i += 1000) {
      await collection.insertMany(Array.from({ length: Math.min(1000, size - i) }, (_, j) => ({ _id: `k${i + j}`, pad, v: 0, status: 'open' })));
    }
    return collection;
  }

  /** The median of 25 calls on the last documents written: a scan that stops at the first match would reach them last. */
  async function medianMs(size: number, call: (id: string) => Promise<unknown>): Promise<number> {
    const times: number[] = [];
    for (let i = 0; i < 25; i++) {
      const started = performance.now();
      await call(`k${size - 1 - i}`);
      times.push(performance.now() - started);
    }
    return median(times);
  }

  async function medianReplaceMs(size: number): Promise<number> {
    const collection = await filled('c', size);
    return medianMs(size, (id) => collection.replaceOne({ _id: id }, { pad, v: 1, status: 'open' }));
  }

  /** A conditional update (`{_id, status}`), as the run-status transitions write. */
  async function medianConditionalUpdateMs(size: number): Promise<number> {
    const collection = await filled('s', size);
    return medianMs(size, async (id) => {
      const result = await collection.updateOne({ _id: id, status: 'open' }, { $set: { status: 'done' } });
      if (result.modifiedCount !== 1) throw new Error(`the conditional update of ${id} matched nothing`);
    });
  }

  it('a replace by _id costs about the same at 20,000 documents as at 200', async () => {
    const small = await medianReplaceMs(200);
    const large = await medianReplaceMs(20_000);
    process.stderr.write(`id-lookup.int: replaceOne by _id, median of 25: ${small.toFixed(1)} ms at 200 documents, ${large.toFixed(1)} ms at 20,000\n`);
    expect(large).toBeLessThan(Math.max(5 * small, 10));
  }, 120_000);

  it('so does an update by _id and status (a filter with _id beside other keys)', async () => {
    const small = await medianConditionalUpdateMs(200);
    const large = await medianConditionalUpdateMs(20_000);
    process.stderr.write(`id-lookup.int: updateOne by {_id, status}, median of 25: ${small.toFixed(1)} ms at 200 documents, ${large.toFixed(1)} ms at 20,000\n`);
    expect(large).toBeLessThan(Math.max(5 * small, 10));
  }, 120_000);
});
