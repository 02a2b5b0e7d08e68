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

  async function medianReplaceMs(size: number): Promise<number> {
    const collection = connection.db.collection<{ _id: string; pad: string; v: number }>(`c${size}`);
    const pad = 'x'.repeat(400);
    for (let i = 0; i < size; i += 1000) {
      await collection.insertMany(Array.from({ length: Math.min(1000, size - i) }, (_, j) => ({ _id: `k${i + j}`, pad, v: 0 })));
    }
    const times: number[] = [];
    // the last documents written: a scan that stops at the first match would reach them last
    for (let i = 0; i < 25; i++) {
      const started = performance.now();
      await collection.replaceOne({ _id: `k${size - 1 - i}` }, { pad, v: 1 });
      times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
  }

  it('a replace by _id costs about the same at 20,000 documents as at 200', async () => {
    const small = await medianReplaceMs(200);
    const large = await medianReplaceMs(20_000);
    process.stderr.write(`id-lookup.int: replaceOne by _id, median of 25: ${small.toFixed(1)} ms at 200 documents, ${large.toFixed(1)} ms at 20,000\n`);
    expect(large).toBeLessThan(Math.max(5 * small, 10));
  }, 120_000);
});
