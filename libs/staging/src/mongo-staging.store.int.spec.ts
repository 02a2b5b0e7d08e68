import { MongoClient, type CommandStartedEvent } from 'mongodb';
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

  it('checks completion without reading a run\'s whole ledger per loaded chunk: whole reads stay two however many chunks', async () => {
    const { db } = await freshDb();
    // a client of its own that reports every command it sends
    const client = new MongoClient(integrationEnv().mongoUrl, { monitorCommands: true, serverSelectionTimeoutMS: 5000 });
    const started: CommandStartedEvent[] = [];
    client.on('commandStarted', (event) => started.push(event));
    try {
      const store = createMongoStagingStore(client.db(db.databaseName));
      const runId = 'whole-reads';
      const chunks = 120;
      await store.createRun({ runId, pipeline: 'flights', params: {}, requestedBy: 'it', status: 'running', requestedAt: new Date() });
      for (let seq = 0; seq < chunks; seq++) await store.markChunk(runId, seq, { extracted: { records: 5, at: new Date() }, transformed: { records: 5, rejected: 0, at: new Date() } });
      await store.markSourceEnded(runId, { totalChunks: chunks, totalRecords: chunks * 5 }, new Date());

      const ledger = `staging.run.${runId}.ledger`;
      const wholeReads = () => started.filter((e) => e.commandName === 'find' && e.command['find'] === ledger && Object.keys(e.command['filter'] ?? {}).length === 0).length;
      started.length = 0;
      const checkMs: number[] = [];
      let completed: Awaited<ReturnType<typeof store.completeRunIfDone>>;
      // loaders finish chunks out of order: every third chunk first, then the rest
      const order = [...Array.from({ length: chunks }, (_, i) => i).filter((i) => i % 3 === 0), ...Array.from({ length: chunks }, (_, i) => i).filter((i) => i % 3 !== 0)];
      for (const seq of order) {
        await store.markChunk(runId, seq, { loaded: { records: 5, at: new Date() } });
        const t0 = performance.now();
        completed = await store.completeRunIfDone(runId, new Date());
        checkMs.push(performance.now() - t0);
        if (seq !== order[order.length - 1]) expect(completed).toBeUndefined();
      }
      expect(completed!).toMatchObject({ status: 'completed', counts: { extracted: chunks * 5, loaded: chunks * 5, chunksLoaded: chunks } });
      // the first check sums the ledger and remembers what was unloaded; the last sums it again to complete
      expect(wholeReads()).toBe(2);
      const sorted = [...checkMs].sort((a, b) => a - b);
      process.stderr.write(`completion checks of a ${chunks}-chunk run: ${wholeReads()} whole-ledger reads in ${chunks} checks; p50 ${sorted[Math.floor(chunks / 2)]!.toFixed(1)} ms, max ${sorted[chunks - 1]!.toFixed(1)} ms\n`);
    } finally {
      await client.close();
    }
  });
});
