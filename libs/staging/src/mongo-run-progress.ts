import type { Collection } from 'mongodb';
import { STAGE_NAMES } from '@brokered-etl/contracts';
import { guard } from './mongo.errors';
import { lastProgress, OPEN_STATUSES, progressKey, splitLedgerKey, stallReason, type StagingStore } from './staging.store';
import type { ChunkLedgerEntry, RunRecord, StagedPlan } from './staging.types';

type RunDoc = RunRecord & { _id: string };
type PlanDoc = StagedPlan & { _id: string };
type LedgerDoc = ChunkLedgerEntry & { _id: string };
type ProgressDoc = { _id: string; runId: string; stage: string; at: Date };

const strip = <T extends { _id: string }>({ _id, ...rest }: T): Omit<T, '_id'> => rest;

type RunProgress = Pick<StagingStore, 'resumeRun' | 'resetExtraction' | 'savePlan' | 'getPlan' | 'markSplitDone' | 'splitsDone' | 'markProgress' | 'markStalledRuns'>;

/**
 * Split plans and run progress on MongoDB. Every write goes to a document
 * that only one kind of writer touches, by `_id` (the only filter FerretDB
 * 1.x serves from an index): FerretDB applies an update as read-modify-write
 * of the whole document, so two workers' `$set`s on one document can lose
 * one. A finished split is its own ledger entry, each stage's progress its
 * own document; the run document is written at planning, at the end of the
 * source and at completion.
 */
export function createMongoRunProgress(collections: { runs: Collection<RunDoc>; plans: Collection<PlanDoc>; ledgerOf: (runId: string) => Collection<LedgerDoc>; progress: Collection<ProgressDoc> }): RunProgress {
  const { runs, plans, ledgerOf, progress } = collections;

  return {
    resumeRun: (runId, at) =>
      guard('resume run', async () => {
        const result = await runs.updateOne({ _id: runId, status: 'failed' }, { $set: { status: 'running', reopenedAt: at }, $unset: { failure: '', finishedAt: '', stall: '' } });
        return result.modifiedCount === 1;
      }),

    resetExtraction: (runId) =>
      guard('reset extraction', async () => {
        await plans.deleteOne({ _id: runId });
        await runs.updateOne({ _id: runId }, { $unset: { splitCount: '', totalChunks: '', totalRecords: '', sourceEndedAt: '' } });
      }),

    savePlan: (plan) =>
      guard('save plan', async () => {
        // $setOnInsert: a redelivered trigger keeps the plan its splits were cut from
        await plans.updateOne({ _id: plan.runId }, { $setOnInsert: { _id: plan.runId, ...plan } }, { upsert: true }).catch(async (err: unknown) => {
          if ((await plans.findOne({ _id: plan.runId })) === null) throw err; // not a lost insert race
        });
        const stored = strip((await plans.findOne({ _id: plan.runId }))!);
        await runs.updateOne({ _id: plan.runId }, { $set: { splitCount: stored.splits.length } });
        return stored;
      }),

    getPlan: (runId) =>
      guard('get plan', async () => {
        const doc = await plans.findOne({ _id: runId });
        return doc ? strip(doc) : undefined;
      }),

    markSplitDone: (runId, splitSeq, totals) =>
      guard('mark split done', async () => {
        await ledgerOf(runId).updateOne({ _id: splitLedgerKey(runId, splitSeq) }, { $set: { runId, chunkSeq: -1, split: { splitSeq, ...totals } } }, { upsert: true });
      }),

    splitsDone: (runId, splitSeqs) =>
      guard('read finished splits', async () => {
        const found = await Promise.all(splitSeqs.map((seq) => ledgerOf(runId).findOne({ _id: splitLedgerKey(runId, seq) })));
        return new Set(splitSeqs.filter((_, i) => found[i]?.split));
      }),

    markProgress: (runId, stage, at) =>
      guard('mark progress', async () => {
        await progress.updateOne({ _id: progressKey(runId, stage) }, { $set: { runId, stage, at } }, { upsert: true });
        // matches nothing (and writes nothing) unless the run was marked stalled
        await runs.updateOne({ _id: runId, status: 'stalled' }, { $set: { status: 'running' }, $unset: { stall: '' } });
      }),

    markStalledRuns: (before, at) =>
      guard('mark stalled runs', async () => {
        const open = await runs.find({ status: { $in: OPEN_STATUSES.filter((s) => s !== 'stalled') } }).toArray();
        const marked: RunRecord[] = [];
        for (const doc of open) {
          const notes = (await Promise.all(STAGE_NAMES.map((stage) => progress.findOne({ _id: progressKey(doc._id, stage) })))).filter((n) => n !== null);
          const last = lastProgress(doc, notes);
          if (last.at >= before) continue;
          const stall = { ...stallReason(doc, last), at };
          const result = await runs.updateOne({ _id: doc._id, status: doc.status }, { $set: { status: 'stalled', stall } });
          if (result.modifiedCount === 1) marked.push({ ...strip(doc), status: 'stalled', stall });
        }
        return marked;
      }),
  };
}
