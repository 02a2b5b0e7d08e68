import { STAGE_NAMES } from '@brokered-etl/contracts';
import type { Collection, Db, Document } from 'mongodb';
import { guard } from './mongo.errors';
import { progressKey, pruneSelection, type StagingStore } from './staging.store';
import type { RunRecord } from './staging.types';

/** What one run owns, each in a collection of its own. */
export type RunCollection = 'ledger' | 'chunks' | 'rejections' | 'deadletters';
const RUN_COLLECTIONS: readonly RunCollection[] = ['ledger', 'chunks', 'rejections', 'deadletters'];

export interface RunCollections {
  of<T extends Document>(runId: string, kind: RunCollection): Collection<T>;
  /** Drops one of the run's collections; a collection that was never created is not an error. */
  drop(runId: string, kind: RunCollection): Promise<void>;
}

const NAMESPACE_NOT_FOUND = 26;

export function runCollectionsOf(db: Db, prefix: string): RunCollections {
  const name = (runId: string, kind: RunCollection) => `${prefix}.run.${runId}.${kind}`;
  return {
    of: <T extends Document>(runId: string, kind: RunCollection) => db.collection<T>(name(runId, kind)),
    async drop(runId, kind) {
      await db.dropCollection(name(runId, kind)).catch((err: { code?: number }) => {
        if (err.code !== NAMESPACE_NOT_FOUND) throw err;
      });
    },
  };
}

type RunDoc = RunRecord & { _id: string };
/** A shared collection retention deletes from by _id (its document type does not matter here). */
type DeletableById = { deleteOne(filter: { _id: string }): Promise<unknown> };

/**
 * Retention on MongoDB: a run's own collections are dropped whole (no scan,
 * no per-document delete); what sits in shared collections is deleted by
 * `_id`. The run document goes last, so a prune that stops half way is
 * finished by the next one.
 */
export function createMongoRetention(c: {
  runs: Collection<RunDoc>;
  plans: DeletableById;
  progress: DeletableById;
  deadLetters: DeletableById;
  /** Input marks (unchanged-input skip), deleted by the run that loaded them. */
  inputs: { deleteMany(filter: { runId: { $in: string[] } }): Promise<unknown> };
  runCollections: RunCollections;
}): Pick<StagingStore, 'pruneRuns'> {
  return {
    pruneRuns: (options) =>
      guard('prune runs', async () => {
        // the one scan: the run documents (one small document per run, bounded by this very retention)
        const all = (await c.runs.find({}).toArray()).map(({ _id, ...run }) => run as RunRecord);
        const selected = pruneSelection(all, options);
        if (options.dryRun) return selected;
        // first: a later run must not skip input whose only staged copy is about to go (one scan of the marks per prune)
        const gone = [...selected.pruned, ...selected.payloadsExpired];
        if (gone.length) await c.inputs.deleteMany({ runId: { $in: gone } });
        for (const runId of selected.payloadsExpired) {
          await c.runCollections.drop(runId, 'chunks');
          await c.runs.updateOne({ _id: runId }, { $set: { payloadsExpiredAt: new Date() } });
        }
        for (const runId of selected.pruned) {
          const letters = await c.runCollections.of<{ _id: string }>(runId, 'deadletters').find({}).toArray();
          for (const letter of letters) await c.deadLetters.deleteOne({ _id: letter._id });
          for (const kind of RUN_COLLECTIONS) await c.runCollections.drop(runId, kind);
          await c.plans.deleteOne({ _id: runId });
          for (const stage of STAGE_NAMES) await c.progress.deleteOne({ _id: progressKey(runId, stage) });
          await c.runs.deleteOne({ _id: runId });
        }
        return selected;
      }),
  };
}
