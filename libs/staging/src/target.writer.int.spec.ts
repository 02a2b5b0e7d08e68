import { integrationEnv, uniqueName } from '@brokered-etl/testing';
import { connectMongo, type MongoConnection } from './mongo.connection';
import { contentDigest, createMongoTargetWriter, type TargetWritePath } from './target.writer';

const connections: MongoConnection[] = [];
afterAll(async () => {
  for (const c of connections) {
    await c.db.dropDatabase().catch(() => undefined);
    await c.close();
  }
});

async function freshDb(): Promise<MongoConnection> {
  const connection = await connectMongo({ url: integrationEnv().mongoUrl, database: uniqueName('it_target').replace(/[.-]/g, '_') });
  connections.push(connection);
  return connection;
}

const docsOf = (version: number, n = 200) => Array.from({ length: n }, (_, i) => ({ _id: `k${i}`, value: i, version }));

// 300: more than one REPLACE_BULK, and a bulk above the 100 replaces that FerretDB 1.24 without the local build's fix never returns from
describe.each<[TargetWritePath, number]>([
  ['insert-then-replace', 300],
  ['bulk-replace', 300],
])('target writer (%s, real server)', (writePath, n) => {
  it('a reader never sees a document missing while its chunk is reloaded with new content', async () => {
    const { db } = await freshDb();
    const writer = createMongoTargetWriter(db, { writePath });
    await writer.upsertMany('target', docsOf(0, n));
    const target = db.collection<{ _id: string; version: number }>('target');
    let writing = true;
    let reads = 0;
    const missing: string[] = [];
    const reader = (async () => {
      // whole-collection reads and reads by _id, as a consumer of the target would do, until the reloads end
      while (writing) {
        const seen = new Set((await target.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
        for (let i = 0; i < n; i++) if (!seen.has(`k${i}`)) missing.push(`k${i}`);
        const probe = `k${reads % n}`;
        if ((await target.findOne({ _id: probe })) === null) missing.push(probe);
        reads++;
      }
    })();
    for (let version = 1; version <= 3; version++) expect(await writer.upsertMany('target', docsOf(version, n))).toMatchObject({ matched: n, unchanged: false });
    writing = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(missing).toEqual([]);
    expect(await target.countDocuments({ version: 3 })).toBe(n);
  });

  it('skips a chunk whose ids already hold the same content, and writes it when the content changed', async () => {
    const { db } = await freshDb();
    const writer = createMongoTargetWriter(db, { writePath });
    const first = docsOf(1, n / 5);
    expect(await writer.upsertMany('target', first, { digest: contentDigest(first) })).toMatchObject({ upserted: n / 5, unchanged: false });
    const again = await writer.upsertMany('target', first, { digest: contentDigest(first) });
    expect(again).toMatchObject({ upserted: 0, matched: 0, unchanged: true });
    // what the extractor's unchanged-input check reads: the entry holds this content, and no other
    expect(await writer.holdsDigest(again.digestId, contentDigest(first))).toBe(true);
    expect(await writer.holdsDigest(again.digestId, 'other content')).toBe(false);
    const changed = docsOf(2, n / 5);
    expect(await writer.upsertMany('target', changed, { digest: contentDigest(changed) })).toMatchObject({ matched: n / 5, unchanged: false });
    expect(await db.collection('target').countDocuments({ version: 2 })).toBe(n / 5);
    // back to the first content: the digest kept is the second one's, so it is written, not skipped
    expect(await writer.upsertMany('target', first, { digest: contentDigest(first) })).toMatchObject({ unchanged: false });
    expect(await db.collection('target').countDocuments({ version: 1 })).toBe(n / 5);
    // without a digest (a rerun) it always writes
    expect(await writer.upsertMany('target', first)).toMatchObject({ unchanged: false, matched: n / 5 });
  });
});

describe('target writer (insert-then-reinsert, for a FerretDB without the fix, real server)', () => {
  it('reloads changed content and skips unchanged chunks, ending with every document once', async () => {
    const { db } = await freshDb();
    const writer = createMongoTargetWriter(db, { writePath: 'insert-then-reinsert' });
    const first = docsOf(1, 100);
    expect(await writer.upsertMany('target', first.slice(0, 60))).toMatchObject({ upserted: 60, matched: 0 });
    // a chunk redelivered after it was half written, now with new content
    expect(await writer.upsertMany('target', docsOf(2, 100), { digest: contentDigest(docsOf(2, 100)) })).toMatchObject({ upserted: 40, matched: 60, unchanged: false });
    expect(await writer.upsertMany('target', docsOf(2, 100), { digest: contentDigest(docsOf(2, 100)) })).toMatchObject({ unchanged: true });
    expect(await db.collection('target').countDocuments({})).toBe(100);
    expect(await db.collection('target').countDocuments({ version: 2 })).toBe(100);
  });
});

describe('target writer on this server', () => {
  it('picks its write path from the server it talks to', async () => {
    const { db } = await freshDb();
    const info = await db.admin().command({ buildInfo: 1 });
    expect(await createMongoTargetWriter(db).writePath()).toBe('ferretdbVersion' in info ? 'insert-then-replace' : 'bulk-replace');
  });
});
