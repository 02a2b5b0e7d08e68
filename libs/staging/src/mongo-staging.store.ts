import { Binary, type Collection, type Db } from 'mongodb';
import { guard, isDuplicateKey } from './mongo.errors';
import { createMongoRetention, runCollectionsOf } from './mongo-retention';
import { createMongoRunProgress } from './mongo-run-progress';
import { awaitsSourceEnd, definedFields, isRunDone, isRunOpen, ledgerKey, ledgerMarks, OPEN_STATUSES, sumLedger, type StagingStore } from './staging.store';
import type { ChunkLedgerEntry, ChunkStage, DeadLetterRecord, InputMark, Rejection, RunRecord, StagedChunk, StagedPlan } from './staging.types';
import { createUnloadedChunkMemo } from './unloaded-chunks';

type RunDoc = RunRecord & { _id: string };
type ChunkDoc = Omit<StagedChunk, 'payload'> & { _id: string; payload: Binary };
type LedgerDoc = ChunkLedgerEntry & { _id: string };
type RejectionDoc = Rejection & { _id: string };
type DeadLetterDoc = Omit<DeadLetterRecord, 'key' | 'value' | 'headers'> & { _id: string; key: Binary | null; value: Binary | null; headers: Array<{ key: string; value: Binary | null }> };

const toBinary = (b: Buffer | null) => (b === null ? null : new Binary(b));
const toBuffer = (b: Binary | null | undefined) => (b ? Buffer.from(b.buffer) : null);

export interface MongoStagingOptions {
  /** Collection name prefix, so staging can share a database with the targets. */
  prefix?: string;
}

const strip = <T extends { _id: string }>({ _id, ...rest }: T): Omit<T, '_id'> => rest;
const chunkKey = (runId: string, stage: ChunkStage, chunkSeq: number) => `${runId}:${stage}:${chunkSeq}`;
const MARK_OF_STAGE: Record<ChunkStage, 'extracted' | 'transformed'> = { extracted: 'extracted', transformed: 'transformed' };

/**
 * Staging on MongoDB, written for FerretDB 1.x too: no transactions, no
 * $group beyond $sum, deterministic _ids and $set instead of $inc.
 *
 * Access paths (docs/staging.md): FerretDB 1.24 on SQLite serves only a
 * single-key `{_id}` filter from an index; any other filter, `$in` of _ids
 * included, reads the whole collection. So what grows with history is read
 * by `_id` only, and what one run owns (ledger, chunk payloads, rejections,
 * its dead letters' ids) lives in collections of that run
 * (`<prefix>.run.<runId>.*`): reading them costs that run, not every run
 * before it, and retention drops them whole.
 */
export function createMongoStagingStore(db: Db, options: MongoStagingOptions = {}): StagingStore & { ensureIndexes(): Promise<void> } {
  const prefix = options.prefix ?? 'staging';
  const runs: Collection<RunDoc> = db.collection(`${prefix}.runs`);
  const deadLetters: Collection<DeadLetterDoc> = db.collection(`${prefix}.deadletters`);
  const plans: Collection<StagedPlan & { _id: string }> = db.collection(`${prefix}.plans`);
  const progress: Collection<{ _id: string; runId: string; stage: string; at: Date }> = db.collection(`${prefix}.progress`);
  // one small document per distinct clean chunk input, read by _id only
  const inputs: Collection<InputMark & { _id: string }> = db.collection(`${prefix}.inputs`);
  const runCollections = runCollectionsOf(db, prefix);
  const { ledgerOf, chunksOf, rejectionsOf, deadLetterIdsOf } = {
    ledgerOf: (runId: string) => runCollections.of<LedgerDoc>(runId, 'ledger'),
    chunksOf: (runId: string) => runCollections.of<ChunkDoc>(runId, 'chunks'),
    rejectionsOf: (runId: string) => runCollections.of<RejectionDoc>(runId, 'rejections'),
    deadLetterIdsOf: (runId: string) => runCollections.of<{ _id: string; stage: string }>(runId, 'deadletters'),
  };
  const fromDoc = (doc: DeadLetterDoc): DeadLetterRecord => {
    const { key, value, headers, ...rest } = strip(doc);
    return { ...rest, key: toBuffer(key), value: toBuffer(value), headers: headers.map((h) => ({ key: h.key, value: toBuffer(h.value) })) };
  };

  // a run's whole ledger is one read of its own collection: what it costs grows with the run, never with history
  const ledgerEntries = async (runId: string) => (await ledgerOf(runId).find({}).toArray()).map(strip);
  const countRuns = (list: ReadonlyArray<Pick<RunRecord, 'runId' | 'generation'>>) =>
    guard('count runs', async () => new Map(await Promise.all(list.map(async (run) => [run.runId, sumLedger(await ledgerEntries(run.runId), run.generation)] as const))));
  const countRunOf = async (run: Pick<RunRecord, 'runId' | 'generation'>) => (await countRuns([run])).get(run.runId) ?? sumLedger([], run.generation);
  // completion checks read what they last saw unloaded by _id instead of the whole ledger each time
  const unloaded = createUnloadedChunkMemo(async (runId, chunkSeq, generation) => {
    const loaded = (await ledgerOf(runId).findOne({ _id: ledgerKey(runId, chunkSeq, undefined, 'loaded') }))?.loaded;
    return loaded !== undefined && (loaded.generation ?? 0) >= generation;
  });

  const markLedger = async (at: Pick<ChunkLedgerEntry, 'runId' | 'chunkSeq' | 'recordIndex'>, entry: object) => {
    for (const [mark, fields] of ledgerMarks(entry)) {
      await ledgerOf(at.runId).updateOne({ _id: ledgerKey(at.runId, at.chunkSeq, at.recordIndex, mark) }, { $set: fields, $setOnInsert: definedFields(at) }, { upsert: true });
    }
  };

  return {
    ...createMongoRunProgress({ runs, plans, ledgerOf, progress }),
    ...createMongoRetention({ runs, plans, progress, deadLetters, inputs, runCollections }),

    async ensureIndexes() {
      // served by MongoDB only (FerretDB 1.x ignores them): the run list's sort and the unfiltered dead-letter list
      await guard('create staging indexes', async () => {
        await runs.createIndex({ requestedAt: -1 });
        await deadLetters.createIndex({ failedAt: -1 });
      });
    },

    createRun: (run) =>
      guard('create run', async () => {
        try {
          const result = await runs.updateOne({ _id: run.runId }, { $setOnInsert: { _id: run.runId, ...run } }, { upsert: true });
          return result.upsertedCount === 1;
        } catch (err) {
          // two creators of one run id (API + extractor, two schedulers) race the upsert: the loser finds it exists
          if (isDuplicateKey(err)) return false;
          throw err;
        }
      }),

    getRun: (runId) =>
      guard('get run', async () => {
        const doc = await runs.findOne({ _id: runId });
        return doc ? strip(doc) : undefined;
      }),

    listRuns: (opts = {}) =>
      guard('list runs', async () => {
        const filter = opts.pipeline ? { pipeline: opts.pipeline } : {};
        const docs = await runs.find(filter).sort({ requestedAt: -1 }).limit(opts.limit ?? 50).toArray();
        return docs.map(strip);
      }),

    markRunStarted: (runId, at) =>
      guard('mark run started', async () => {
        await runs.updateOne({ _id: runId, status: 'requested' }, { $set: { status: 'running', startedAt: at } });
      }),

    markSourceEnded: (runId, totals, at) =>
      guard('mark source ended', async () => {
        await runs.updateOne({ _id: runId }, { $set: { totalChunks: totals.totalChunks, totalRecords: totals.totalRecords, sourceEndedAt: at } });
      }),

    failRun: (runId, failure, at) =>
      guard('fail run', async () => {
        await runs.updateOne({ _id: runId, status: { $ne: 'completed' } }, { $set: { status: 'failed', failure, finishedAt: at } });
      }),

    async completeRunIfDone(runId, at) {
      const run = await this.getRun(runId);
      if (!run || awaitsSourceEnd(run)) return undefined;
      if (isRunOpen(run) && (await guard('read loaded marks', () => unloaded.anyStillUnloaded(run)))) return undefined;
      const entries = await guard('count run', () => ledgerEntries(runId));
      const counts = sumLedger(entries, run.generation);
      if (isRunOpen(run) && !isRunDone(run, counts)) {
        unloaded.remember(run, entries);
        return undefined; // open runs are counted live: no write races the completion
      }
      unloaded.forget(runId);
      // a chunk delivered after completion (replay, record patch) still moves the stored counts
      if (!isRunOpen(run)) {
        await guard('update run counts', () => runs.updateOne({ _id: runId }, { $set: { counts } }));
        return undefined;
      }
      // the status filter makes exactly one caller the one that completed it, even when loaders race
      const result = await guard('complete run', () => runs.updateOne({ _id: runId, status: { $in: [...OPEN_STATUSES] } }, { $set: { status: 'completed', finishedAt: at, counts }, $unset: { stall: '' } }));
      return result.modifiedCount === 1 ? this.getRun(runId) : undefined;
    },

    reopenRun: (runId, at) =>
      guard('reopen run', async () => {
        const generation = ((await runs.findOne({ _id: runId }))?.generation ?? 0) + 1;
        await runs.updateOne({ _id: runId }, { $set: { status: 'running', startedAt: at, reopenedAt: at, generation }, $unset: { finishedAt: '', failure: '' } });
        return generation;
      }),

    stageChunk: (chunk) =>
      guard('stage chunk', async () => {
        const _id = chunkKey(chunk.runId, chunk.stage, chunk.chunkSeq);
        await chunksOf(chunk.runId).replaceOne({ _id }, { ...chunk, payload: new Binary(chunk.payload) }, { upsert: true });
      }),

    // the ledger says which chunks the stage produced; each payload is then read by _id, one at a time (no sort of megabytes in memory)
    async *readChunks(runId: string, stage: ChunkStage): AsyncIterable<StagedChunk> {
      const mark = MARK_OF_STAGE[stage];
      const entries = await guard('read staged chunk list', () => ledgerEntries(runId));
      const seqs = [...new Set(entries.filter((e) => e.recordIndex === undefined && !e.split && e[mark]).map((e) => e.chunkSeq))].sort((a, b) => a - b);
      for (const seq of seqs) {
        const doc = await guard('read staged chunk', () => chunksOf(runId).findOne({ _id: chunkKey(runId, stage, seq) }));
        if (!doc) continue;
        const { payload, ...rest } = strip(doc);
        yield { ...rest, payload: Buffer.from(payload.buffer) };
      }
    },

    extractedMark: (runId, chunkSeq) => guard('read extracted mark', async () => (await ledgerOf(runId).findOne({ _id: ledgerKey(runId, chunkSeq, undefined, 'extracted') }))?.extracted),

    markChunk: (runId, chunkSeq, entry) => guard('mark chunk', () => markLedger({ runId, chunkSeq }, entry)),
    markRecordPatch: (runId, chunkSeq, recordIndex, entry) => guard('mark record patch', () => markLedger({ runId, chunkSeq, recordIndex }, entry)),

    async countRun(runId) {
      return countRunOf({ runId, generation: (await this.getRun(runId))?.generation });
    },

    countRuns,

    markInput: (key, mark) =>
      guard('mark input', async () => {
        await inputs.replaceOne({ _id: key }, mark, { upsert: true });
      }),

    getInputMark: (key) =>
      guard('read input mark', async () => {
        const doc = await inputs.findOne({ _id: key });
        return doc ? strip(doc) : undefined;
      }),

    resolveRejection: (runId, id, at) =>
      guard('resolve rejection', async () => {
        await rejectionsOf(runId).updateOne({ _id: id }, { $set: { resolvedAt: at } });
      }),

    recordDeadLetter: (dl) =>
      guard('record dead letter', async () => {
        const { key, value, headers, ...rest } = dl;
        // failing again after a redrive re-opens the letter; the redrive count stays
        await deadLetters.updateOne(
          { _id: dl.id },
          { $set: { ...rest, key: toBinary(key), value: toBinary(value), headers: headers.map((h) => ({ key: h.key, value: toBinary(h.value) })) }, $unset: { redrivenAt: '' } },
          { upsert: true },
        );
        // the run's list of its letters, so listing them reads by _id instead of every letter ever kept
        if (dl.runId) await deadLetterIdsOf(dl.runId).updateOne({ _id: dl.id }, { $set: { stage: dl.stage } }, { upsert: true });
      }),

    getDeadLetter: (id) =>
      guard('get dead letter', async () => {
        const doc = await deadLetters.findOne({ _id: id });
        return doc ? fromDoc(doc) : undefined;
      }),

    listDeadLetters: (filter = {}) =>
      guard('list dead letters', async () => {
        const runId = filter.runId;
        if (runId) {
          const ids = (await deadLetterIdsOf(runId).find({}).toArray()).filter((d) => !filter.stage || d.stage === filter.stage).map((d) => d._id);
          const found = (await Promise.all(ids.map((id) => deadLetters.findOne({ _id: id })))).flatMap((doc) => (doc ? [fromDoc(doc)] : []));
          return found
            .filter((d) => !filter.open || !d.redrivenAt)
            .sort((a, b) => b.failedAt.getTime() - a.failedAt.getTime())
            .slice(0, filter.limit ?? 1000);
        }
        const query: Record<string, unknown> = {};
        if (filter.stage) query['stage'] = filter.stage;
        if (filter.open) query['redrivenAt'] = { $exists: false };
        const docs = await deadLetters.find(query).sort({ failedAt: -1 }).limit(filter.limit ?? 1000).toArray();
        return docs.map(fromDoc);
      }),

    markRedriven: (id, at) =>
      guard('mark redriven', async () => {
        const doc = await deadLetters.findOne({ _id: id });
        await deadLetters.updateOne({ _id: id }, { $set: { redrivenAt: at, redrives: (doc?.redrives ?? 0) + 1 } });
      }),

    recordRejections: (list) =>
      guard('record rejections', async () => {
        const byRun = new Map<string, Rejection[]>();
        for (const r of list) byRun.set(r.runId, [...(byRun.get(r.runId) ?? []), r]);
        for (const [runId, ofRun] of byRun) {
          await rejectionsOf(runId).bulkWrite(
            ofRun.map((r) => ({ replaceOne: { filter: { _id: r.id }, replacement: { _id: r.id, ...r }, upsert: true } })),
            { ordered: false },
          );
        }
      }),

    listRejections: (runId) =>
      guard('list rejections', async () => (await rejectionsOf(runId).find({}).toArray()).map(strip).sort((a, b) => a.chunkSeq - b.chunkSeq || a.recordIndex - b.recordIndex)),

    close: async () => undefined,
  };
}
