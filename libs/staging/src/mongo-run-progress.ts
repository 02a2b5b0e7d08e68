import type { Collection } from 'mongodb';
import { guard } from './mongo.errors';
import { OPEN_STATUSES, splitKey, stallReason, type StagingStore } from './staging.store';
import type { RunRecord, StagedPlan } from './staging.types';

type RunDoc = RunRecord & { _id: string };
type PlanDoc = StagedPlan & { _id: string };

const strip = <T extends { _id: string }>({ _id, ...rest }: T): Omit<T, '_id'> => rest;

type RunProgress = Pick<StagingStore, 'resumeRun' | 'resetExtraction' | 'savePlan' | 'getPlan' | 'markSplitDone' | 'markProgress' | 'markStalledRuns'>;

/**
 * Split plans and run progress on MongoDB. Every write is by `_id` (the only
 * filter FerretDB 1.x serves from an index) and sets its own field, so a
 * redelivered split or a racing worker writes the same value again.
 */
export function createMongoRunProgress(runs: Collection<RunDoc>, plans: Collection<PlanDoc>): RunProgress {
  const getRun = async (runId: string) => {
    const doc = await runs.findOne({ _id: runId });
    return doc ? strip(doc) : undefined;
  };

  return {
    resumeRun: (runId, at) =>
      guard('resume run', async () => {
        const result = await runs.updateOne({ _id: runId, status: 'failed' }, { $set: { status: 'running', progressAt: at }, $unset: { failure: '', finishedAt: '', stall: '' } });
        return result.modifiedCount === 1;
      }),

    resetExtraction: (runId) =>
      guard('reset extraction', async () => {
        await plans.deleteOne({ _id: runId });
        await runs.updateOne({ _id: runId }, { $unset: { splitCount: '', splitsDone: '', totalChunks: '', totalRecords: '', sourceEndedAt: '' } });
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
        await runs.updateOne({ _id: runId }, { $set: { [`splitsDone.${splitKey(splitSeq)}`]: totals } });
        return getRun(runId);
      }),

    markProgress: (runId, stage, at) =>
      guard('mark progress', async () => {
        await runs.updateOne({ _id: runId }, { $set: { progressAt: at, progressStage: stage } });
        await runs.updateOne({ _id: runId, status: 'stalled' }, { $set: { status: 'running' }, $unset: { stall: '' } });
      }),

    markStalledRuns: (before, at) =>
      guard('mark stalled runs', async () => {
        const open = await runs.find({ status: { $in: OPEN_STATUSES.filter((s) => s !== 'stalled') } }).toArray();
        const marked: RunRecord[] = [];
        for (const doc of open) {
          const since = doc.progressAt ?? doc.startedAt ?? doc.requestedAt;
          if (since >= before) continue;
          const stall = { ...stallReason(doc, since), at };
          // the status filter: a run that moved (or finished) since the read is not marked
          const result = await runs.updateOne({ _id: doc._id, status: doc.status, progressAt: doc.progressAt ?? { $exists: false } }, { $set: { status: 'stalled', stall } });
          if (result.modifiedCount === 1) marked.push({ ...strip(doc), status: 'stalled', stall });
        }
        return marked;
      }),
  };
}
