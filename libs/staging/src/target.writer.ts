import { createHash } from 'node:crypto';
import { MongoBulkWriteError, type Collection, type Db, type WriteConcernSettings } from 'mongodb';
import { DUPLICATE_KEY, guard } from './mongo.errors';

export interface TargetDocument {
  _id: string;
  [field: string]: unknown;
}

export interface UpsertResult {
  upserted: number;
  matched: number;
  /** The target already held exactly this content for these ids (same digest): nothing was written. */
  unchanged: boolean;
  /** Where the chunk's content digest is kept (by its ids), for holdsDigest. */
  digestId: string;
}

/** Where the loader writes: each document replaced whole by its deterministic _id, so a replay rewrites the same documents. */
export interface TargetWriter {
  /**
   * Writes the documents. With `digest` (contentDigest of the documents' content), a chunk whose ids last
   * received exactly this content is skipped: reloading an unchanged source costs a read by _id per chunk.
   */
  upsertMany(collection: string, documents: TargetDocument[], options?: { digest?: string }): Promise<UpsertResult>;
  /** Whether the documents a digest entry names still hold that content as this writer last wrote it (a read by _id). */
  holdsDigest(digestId: string, digest: string): Promise<boolean>;
  count(collection: string, filter?: Record<string, unknown>): Promise<number>;
}

/**
 * `insert-then-replace`: insertMany, then the documents that already existed are replaced by _id in bulks of
 * REPLACE_BULK (FerretDB: an insert costs ~0.05 ms a document and a replace ~0.8 ms, so a first load takes the fast
 * path). `bulk-replace`: one unordered bulk of replaceOne-upserts (MongoDB: the index makes each one cheap).
 * Both replace every document atomically: a reader sees the old or the new one, never none.
 * `insert-then-reinsert`: insertMany, then the existing ones are deleted in one `$in` and inserted again; not
 * atomic (a reader may miss a reloaded document for a moment). It was FerretDB's default while FerretDB 1.24's
 * SQLite backend scanned the table for every update by _id; the local build fixes that (local-infra
 * ferretdb-source.ts), and it stays for a FerretDB without the fix.
 */
export type TargetWritePath = 'insert-then-replace' | 'bulk-replace' | 'insert-then-reinsert';

export interface TargetWriterOptions {
  /** `auto` (default): insert-then-replace on FerretDB, bulk-replace on MongoDB (buildInfo tells them apart). */
  writePath?: TargetWritePath | 'auto';
  /** Of every target write; default `{ w: 'majority' }` (a standalone server and FerretDB acknowledge it as w:1). */
  writeConcern?: WriteConcernSettings;
  /** Where each chunk's content digest is kept, by _id. */
  digestCollection?: string;
}

/** Replaces of existing documents in flight at once, where they go one by one (a lost upsert race). */
const REPLACE_CONCURRENCY = 8;

/**
 * Replaces in one bulk on FerretDB's path. FerretDB 1.24 holds a connection of its 100-connection SQLite pool
 * per matched replace until the bulk ends, and a bulk of 100 or more never returns (fixed in the local build,
 * not in another FerretDB 1.x): 50 stays below that and costs one round trip per 50 documents.
 */
const REPLACE_BULK = 50;

/** The id set names the digest: the same ids with the same content is the same chunk, whichever run loads it. */
const digestIdOf = (collection: string, documents: TargetDocument[]) => `${collection}:${contentDigest([documents.map((d) => d._id)])}`;

/** The digest of documents' content, key order included (the transform makes it deterministic). */
export function contentDigest(documents: readonly object[]): string {
  const hash = createHash('sha256');
  for (const doc of documents) hash.update(JSON.stringify(doc)).update('\n');
  return hash.digest('base64url');
}

export function createMongoTargetWriter(db: Db, options: TargetWriterOptions = {}): TargetWriter & { writePath(): Promise<TargetWritePath> } {
  const writeConcern = options.writeConcern ?? { w: 'majority' };
  const collectionOf = (name: string): Collection<TargetDocument> => db.collection<TargetDocument>(name);
  const digests = db.collection<{ _id: string; digest: string; at: Date }>(options.digestCollection ?? 'etl.target-digests');
  let chosen: Promise<TargetWritePath> | undefined;
  const writePath = () => (chosen ??= options.writePath && options.writePath !== 'auto' ? Promise.resolve(options.writePath) : detectWritePath(db));

  return {
    writePath,
    upsertMany: (collection, documents, opts = {}) =>
      guard(`upsert into ${collection}`, async () => {
        const digestId = digestIdOf(collection, documents);
        if (documents.length === 0) return { upserted: 0, matched: 0, unchanged: false, digestId };
        const target = collectionOf(collection);
        if (opts.digest !== undefined) {
          if ((await digests.findOne({ _id: digestId }))?.digest === opts.digest) return { upserted: 0, matched: 0, unchanged: true, digestId };
          // forgotten before the write: a crash half way must not leave a digest that claims content the target lacks
          await digests.deleteOne({ _id: digestId }, { writeConcern });
        }
        const path = await writePath();
        const result =
          path === 'bulk-replace' ? await bulkReplace(target, documents, writeConcern) : path === 'insert-then-reinsert' ? await insertThenReinsert(target, documents, writeConcern) : await insertThenReplace(target, documents, writeConcern);
        if (opts.digest !== undefined) await digests.replaceOne({ _id: digestId }, { digest: opts.digest, at: new Date() }, { upsert: true, writeConcern });
        return { ...result, unchanged: false, digestId };
      }),
    holdsDigest: (digestId, digest) => guard('read target digest', async () => (await digests.findOne({ _id: digestId }))?.digest === digest),
    count: (collection, filter = {}) => guard(`count ${collection}`, () => collectionOf(collection).countDocuments(filter)),
  };
}

async function detectWritePath(db: Db): Promise<TargetWritePath> {
  const info = await db.admin().command({ buildInfo: 1 });
  return 'ferretdbVersion' in info ? 'insert-then-replace' : 'bulk-replace';
}

async function insertThenReinsert(target: Collection<TargetDocument>, documents: TargetDocument[], writeConcern: WriteConcernSettings) {
  const existing = await insertReportingDuplicates(target, documents, writeConcern);
  if (existing.length > 0) {
    await target.deleteMany({ _id: { $in: existing.map((d) => d._id) } }, { writeConcern });
    // a rerun beside its run may have inserted some of them again in between: those now hold this same content
    await insertReportingDuplicates(target, existing, writeConcern);
  }
  return { upserted: documents.length - existing.length, matched: existing.length };
}

async function insertThenReplace(target: Collection<TargetDocument>, documents: TargetDocument[], writeConcern: WriteConcernSettings) {
  const existing = await insertReportingDuplicates(target, documents, writeConcern);
  for (let i = 0; i < existing.length; i += REPLACE_BULK) await bulkReplace(target, existing.slice(i, i + REPLACE_BULK), writeConcern);
  return { upserted: documents.length - existing.length, matched: existing.length };
}

async function bulkReplace(target: Collection<TargetDocument>, documents: TargetDocument[], writeConcern: WriteConcernSettings) {
  try {
    const result = await target.bulkWrite(documents.map((d) => ({ replaceOne: { filter: { _id: d._id }, replacement: d, upsert: true } })), { ordered: false, writeConcern });
    return { upserted: result.upsertedCount, matched: result.matchedCount };
  } catch (err) {
    // two upserts of one new _id at once (a rerun beside its run): the loser's document now exists, replace it
    const lost = duplicatesOf(err, documents);
    await replaceEach(target, lost, writeConcern);
    return { upserted: documents.length - lost.length, matched: lost.length };
  }
}

async function replaceEach(target: Collection<TargetDocument>, documents: TargetDocument[], writeConcern: WriteConcernSettings): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < documents.length) {
      const doc = documents[next++]!;
      await target.replaceOne({ _id: doc._id }, doc, { upsert: true, writeConcern });
    }
  };
  await Promise.all(Array.from({ length: Math.min(REPLACE_CONCURRENCY, documents.length) }, lane));
}

/** Inserts every document it can; returns those whose _id already existed. */
async function insertReportingDuplicates(target: Collection<TargetDocument>, documents: TargetDocument[], writeConcern: WriteConcernSettings): Promise<TargetDocument[]> {
  try {
    await target.insertMany(documents, { ordered: false, writeConcern });
    return [];
  } catch (err) {
    return duplicatesOf(err, documents);
  }
}

/** The documents an unordered bulk refused as duplicates; any other failure is rethrown. */
function duplicatesOf(err: unknown, documents: TargetDocument[]): TargetDocument[] {
  if (!(err instanceof MongoBulkWriteError)) throw err;
  const writeErrors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
  if (writeErrors.length === 0 || writeErrors.some((w) => w.code !== DUPLICATE_KEY)) throw err;
  return writeErrors.map((w) => documents[w.index]!);
}

export function createMemoryTargetWriter(): TargetWriter & { documents(collection: string): TargetDocument[] } {
  const collections = new Map<string, Map<string, TargetDocument>>();
  const digests = new Map<string, string>();
  const of = (name: string) => collections.get(name) ?? collections.set(name, new Map()).get(name)!;
  return {
    async upsertMany(collection, documents, opts = {}) {
      const digestId = digestIdOf(collection, documents);
      if (opts.digest !== undefined && digests.get(digestId) === opts.digest) return { upserted: 0, matched: 0, unchanged: true, digestId };
      const target = of(collection);
      let upserted = 0;
      for (const doc of documents) {
        if (!target.has(doc._id)) upserted++;
        target.set(doc._id, structuredClone(doc));
      }
      if (opts.digest !== undefined) digests.set(digestId, opts.digest);
      return { upserted, matched: documents.length - upserted, unchanged: false, digestId };
    },
    async holdsDigest(digestId, digest) {
      return digests.get(digestId) === digest;
    },
    async count(collection) {
      return of(collection).size;
    },
    documents: (collection) => [...of(collection).values()],
  };
}
