import type { Collection, Db, Document } from 'mongodb';
import { guard } from './mongo.errors';

export interface TargetDocument {
  _id: string;
  [field: string]: unknown;
}

/** Where the loader writes: upserts by a deterministic _id, so a replay rewrites the same documents. */
export interface TargetWriter {
  upsertMany(collection: string, documents: TargetDocument[]): Promise<{ upserted: number; matched: number }>;
  count(collection: string, filter?: Record<string, unknown>): Promise<number>;
}

export function createMongoTargetWriter(db: Db): TargetWriter {
  const collectionOf = (name: string): Collection<Document> => db.collection(name);
  return {
    upsertMany: (collection, documents) =>
      guard(`upsert into ${collection}`, async () => {
        if (documents.length === 0) return { upserted: 0, matched: 0 };
        const result = await collectionOf(collection).bulkWrite(
          documents.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })),
          { ordered: false },
        );
        return { upserted: result.upsertedCount, matched: result.matchedCount };
      }),
    count: (collection, filter = {}) => guard(`count ${collection}`, () => collectionOf(collection).countDocuments(filter)),
  };
}

export function createMemoryTargetWriter(): TargetWriter & { documents(collection: string): TargetDocument[] } {
  const collections = new Map<string, Map<string, TargetDocument>>();
  const of = (name: string) => collections.get(name) ?? collections.set(name, new Map()).get(name)!;
  return {
    async upsertMany(collection, documents) {
      const target = of(collection);
      let upserted = 0;
      for (const doc of documents) {
        if (!target.has(doc._id)) upserted++;
        target.set(doc._id, structuredClone(doc));
      }
      return { upserted, matched: documents.length - upserted };
    },
    async count(collection) {
      return of(collection).size;
    },
    documents: (collection) => [...of(collection).values()],
  };
}
