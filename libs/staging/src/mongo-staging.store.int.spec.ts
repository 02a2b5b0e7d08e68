import { integrationEnv, uniqueName } from '@brokered-etl/testing';
import { connectMongo, type MongoConnection } from './mongo.connection';
import { createMongoStagingStore } from './mongo-staging.store';
import { stagingConformance } from './staging.conformance';
import { createMongoTargetWriter } from './target.writer';

const connections: MongoConnection[] = [];
afterAll(async () => {
  for (const c of connections) {
    await c.db.dropDatabase().catch(() => undefined);
    await c.close();
  }
});

async function freshDb(): Promise<MongoConnection> {
  const connection = await connectMongo({ url: integrationEnv().mongoUrl, database: uniqueName('it_staging').replace(/[.-]/g, '_') });
  connections.push(connection);
  return connection;
}

stagingConformance('MongoDB staging', async () => {
  const store = createMongoStagingStore((await freshDb()).db);
  await store.ensureIndexes();
  return store;
});

describe('MongoDB-compatible database (real server)', () => {
  it('creates a run once when separate clients race for the same id (API + extractor, two schedulers)', async () => {
    const { db } = await freshDb();
    const clients = await Promise.all(Array.from({ length: 6 }, () => connectMongo({ url: integrationEnv().mongoUrl, database: db.databaseName })));
    try {
      const stores = clients.map((c) => createMongoStagingStore(c.db));
      for (let round = 0; round < 5; round++) {
        const run = { runId: `race-${round}`, pipeline: 'flights', params: {}, requestedBy: 'it', status: 'requested' as const, requestedAt: new Date() };
        const created = await Promise.all(stores.map((store) => store.createRun(run)));
        expect(created.filter(Boolean)).toHaveLength(1);
      }
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it('enforces a unique index, upserts, and bulk-writes', async () => {
    const { db } = await freshDb();
    const items = db.collection<{ _id: string; sku: string; qty: number }>('items');
    await items.createIndex({ sku: 1 }, { unique: true });

    await items.insertOne({ _id: 'a', sku: 'SKU-1', qty: 1 });
    await expect(items.insertOne({ _id: 'b', sku: 'SKU-1', qty: 2 })).rejects.toMatchObject({ code: 11000 });

    await items.updateOne({ _id: 'a' }, { $set: { qty: 5 } }, { upsert: true });
    await items.updateOne({ _id: 'c' }, { $set: { sku: 'SKU-3', qty: 3 } }, { upsert: true });
    expect(await items.findOne({ _id: 'a' })).toEqual({ _id: 'a', sku: 'SKU-1', qty: 5 });

    const result = await items.bulkWrite(
      Array.from({ length: 500 }, (_, i) => ({ replaceOne: { filter: { _id: `bulk-${i}` }, replacement: { _id: `bulk-${i}`, sku: `B-${i}`, qty: i }, upsert: true } })),
      { ordered: false },
    );
    expect(result.upsertedCount).toBe(500);
    expect(await items.countDocuments()).toBe(502);
  });

  it('target upserts are idempotent: writing the same documents twice leaves one copy', async () => {
    const writer = createMongoTargetWriter((await freshDb()).db);
    const docs = Array.from({ length: 100 }, (_, i) => ({ _id: `k${i}`, value: i }));
    expect(await writer.upsertMany('target', docs)).toMatchObject({ upserted: 100, matched: 0, unchanged: false });
    expect(await writer.upsertMany('target', docs)).toMatchObject({ upserted: 0, matched: 100, unchanged: false });
    expect(await writer.count('target')).toBe(100);
  });
});
