import { MongoBulkWriteError, type Collection, type Db } from 'mongodb';
import { DUPLICATE_KEY, guard } from './mongo.errors';

export interface TargetDocument {
  _id: string;
  [field: string]: unknown;
}

/** Where the loader writes: upserts by a deterministic _id, so a replay rewrites the same documents. */
export interface TargetWriter {
  upsertMany(collection: string, documents: TargetDocument[]): Promise<{ upserted: number; matched: number }>;
  count(collection: string, filter?: Record<string, unknown>): Promise<number>;
}

/**
 * Upserts as "insert, then replace what already existed": on FerretDB 1.x a
 * bulk of replaceOne-upserts costs ~10 ms a document (20 s per 2,000), while
 * insertMany takes ~0.06 ms (bench/README.md). New documents (a first load)
 * take the fast path; the duplicates an unordered insert reports are deleted
 * and inserted again. Not atomic per document, but idempotent: a crash in
 * between is healed by the redelivery, which finds the missing ones new.
 */
export function createMongoTargetWriter(db: Db): TargetWriter {
  const collectionOf = (name: string): Collection<TargetDocument> => db.collection<TargetDocument>(name);
  return {
    upsertMany: (collection, documents) =>
      guard(`upsert into ${collection}`, async () => {
        if (documents.length === 0) return { upserted: 0, matched: 0 };
        const target = collectionOf(collection);
        const existing = await insertReportingDuplicates(target, documents);
        if (existing.length > 0) {
          await target.deleteMany({ _id: { $in: existing.map((d) => d._id) } });
          await target.insertMany(existing, { ordered: false });
        }
        return { upserted: documents.length - existing.length, matched: existing.length };
      }),
    count: (collection, filter = {}) => guard(`count ${collection}`, () => collectionOf(collection).countDocuments(filter)),
  };
}

/** Inserts every document it can; returns those whose _id already existed. */
async function insertReportingDuplicates(target: Collection<TargetDocument>, documents: TargetDocument[]): Promise<TargetDocument[]> {
  try {
    await target.insertMany(documents, { ordered: false });
    return [];
  } catch (err) {
    if (!(err instanceof MongoBulkWriteError)) throw err;
    const writeErrors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
    if (writeErrors.some((w) => w.code !== DUPLICATE_KEY)) throw err;
    return writeErrors.map((w) => documents[w.index]!);
  }
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
