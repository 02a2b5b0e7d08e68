import { STAGE_NAMES } from '@brokered-etl/contracts';
import { awaitsSourceEnd, definedFields, isRunDone, isRunOpen, lastProgress, ledgerKey, ledgerMarks, progressKey, pruneSelection, splitLedgerKey, stallReason, sumLedger, type StagingStore } from './staging.store';
import type { ChunkLedgerEntry, ChunkStage, DeadLetterRecord, InputMark, Rejection, RunRecord, StagedChunk, StagedPlan } from './staging.types';

const clone = <T>(value: T): T => structuredClone(value);

/** In-memory staging for unit tests; passes the same conformance suite as the MongoDB store. */
export function createMemoryStagingStore(): StagingStore {
  const runs = new Map<string, RunRecord>();
  const chunks = new Map<string, StagedChunk>();
  const ledger = new Map<string, ChunkLedgerEntry>();
  const rejections = new Map<string, Rejection>();
  const deadLetters = new Map<string, DeadLetterRecord>();
  const plans = new Map<string, StagedPlan>();
  const progress = new Map<string, { stage: string; at: Date }>();
  const inputs = new Map<string, InputMark>();
  const ledgerOf = (runId: string) => [...ledger.values()].filter((e) => e.runId === runId);
  const markLedger = (at: Pick<ChunkLedgerEntry, 'runId' | 'chunkSeq' | 'recordIndex'>, entry: object) => {
    for (const [mark, fields] of ledgerMarks(entry)) {
      const key = ledgerKey(at.runId, at.chunkSeq, at.recordIndex, mark);
      ledger.set(key, { ...(ledger.get(key) ?? definedFields(at)), ...clone(fields) } as ChunkLedgerEntry);
    }
  };

  return {
    async createRun(run) {
      if (runs.has(run.runId)) return false;
      runs.set(run.runId, clone(run));
      return true;
    },
    async getRun(runId) {
      const run = runs.get(runId);
      return run && clone(run);
    },
    async listRuns(opts = {}) {
      return [...runs.values()]
        .filter((r) => !opts.pipeline || r.pipeline === opts.pipeline)
        .sort((a, b) => b.requestedAt.getTime() - a.requestedAt.getTime())
        .slice(0, opts.limit ?? 50)
        .map(clone);
    },
    async markRunStarted(runId, at) {
      const run = runs.get(runId);
      if (run?.status === 'requested') Object.assign(run, { status: 'running', startedAt: at });
    },
    async markSourceEnded(runId, totals, at) {
      const run = runs.get(runId);
      if (run) Object.assign(run, { ...totals, sourceEndedAt: at });
    },
    async failRun(runId, failure, at) {
      const run = runs.get(runId);
      if (run && run.status !== 'completed') Object.assign(run, { status: 'failed', failure, finishedAt: at });
    },
    async completeRunIfDone(runId, at) {
      const run = runs.get(runId);
      if (!run || awaitsSourceEnd(run)) return undefined;
      const counts = sumLedger(ledgerOf(runId), run.generation);
      if (isRunOpen(run) && !isRunDone(run, counts)) return undefined;
      run.counts = counts;
      if (!isRunOpen(run)) return undefined;
      Object.assign(run, { status: 'completed', finishedAt: at });
      delete run.stall;
      return clone(run);
    },
    async resumeRun(runId, at) {
      const run = runs.get(runId);
      if (run?.status !== 'failed') return false;
      Object.assign(run, { status: 'running', reopenedAt: at });
      delete run.failure;
      delete run.finishedAt;
      return true;
    },
    async resetExtraction(runId) {
      plans.delete(runId);
      const run = runs.get(runId);
      if (!run) return;
      for (const field of ['splitCount', 'totalChunks', 'totalRecords', 'sourceEndedAt'] as const) delete run[field];
    },
    async savePlan(plan) {
      if (!plans.has(plan.runId)) plans.set(plan.runId, clone(plan));
      const stored = clone(plans.get(plan.runId)!);
      const run = runs.get(plan.runId);
      if (run) run.splitCount = stored.splits.length;
      return stored;
    },
    async getPlan(runId) {
      const plan = plans.get(runId);
      return plan && clone(plan);
    },
    async markSplitDone(runId, splitSeq, totals) {
      ledger.set(splitLedgerKey(runId, splitSeq), { runId, chunkSeq: -1, split: { splitSeq, ...totals } });
    },
    async splitsDone(runId, splitSeqs) {
      return new Set(splitSeqs.filter((seq) => ledger.has(splitLedgerKey(runId, seq))));
    },
    async markProgress(runId, stage, at) {
      progress.set(progressKey(runId, stage), { stage, at });
      const run = runs.get(runId);
      if (run?.status === 'stalled') {
        run.status = 'running';
        delete run.stall;
      }
    },
    async markStalledRuns(before, at) {
      const marked: RunRecord[] = [];
      for (const run of runs.values()) {
        if (run.status !== 'requested' && run.status !== 'running') continue;
        const notes = STAGE_NAMES.flatMap((stage) => progress.get(progressKey(run.runId, stage)) ?? []);
        const last = lastProgress(run, notes);
        if (last.at >= before) continue;
        Object.assign(run, { status: 'stalled', stall: { ...stallReason(run, last), at } });
        marked.push(clone(run));
      }
      return marked;
    },
    async reopenRun(runId, at) {
      const run = runs.get(runId);
      if (!run) return 0;
      const generation = (run.generation ?? 0) + 1;
      Object.assign(run, { status: 'running', startedAt: at, reopenedAt: at, generation });
      delete run.finishedAt;
      delete run.failure;
      return generation;
    },
    async stageChunk(chunk) {
      chunks.set(`${chunk.runId}:${chunk.stage}:${chunk.chunkSeq}`, { ...clone(chunk), payload: Buffer.from(chunk.payload) });
    },
    async *readChunks(runId: string, stage: ChunkStage) {
      const marked = (seq: number) => ledger.has(ledgerKey(runId, seq, undefined, stage));
      const found = [...chunks.values()].filter((c) => c.runId === runId && c.stage === stage && marked(c.chunkSeq)).sort((a, b) => a.chunkSeq - b.chunkSeq);
      for (const chunk of found) yield { ...clone(chunk), payload: Buffer.from(chunk.payload) };
    },
    async extractedMark(runId, chunkSeq) {
      const mark = ledger.get(ledgerKey(runId, chunkSeq, undefined, 'extracted'))?.extracted;
      return mark && clone(mark);
    },
    async markChunk(runId, chunkSeq, entry) {
      markLedger({ runId, chunkSeq }, entry);
    },
    async markRecordPatch(runId, chunkSeq, recordIndex, entry) {
      markLedger({ runId, chunkSeq, recordIndex }, entry);
    },
    async countRun(runId) {
      return sumLedger(ledgerOf(runId), runs.get(runId)?.generation);
    },
    async countRuns(list) {
      return new Map(list.map((run) => [run.runId, sumLedger(ledgerOf(run.runId), run.generation)]));
    },
    async markInput(key, mark) {
      inputs.set(key, clone(mark));
    },
    async getInputMark(key) {
      const mark = inputs.get(key);
      return mark && clone(mark);
    },
    async recordRejections(list) {
      for (const r of list) rejections.set(r.id, clone(r));
    },
    async listRejections(runId) {
      return [...rejections.values()].filter((r) => r.runId === runId).sort((a, b) => a.chunkSeq - b.chunkSeq || a.recordIndex - b.recordIndex);
    },
    async resolveRejection(_runId, id, at) {
      const r = rejections.get(id);
      if (r) r.resolvedAt = at;
    },
    async recordDeadLetter(dl) {
      const previous = deadLetters.get(dl.id);
      deadLetters.set(dl.id, { ...clone(dl), redrives: previous?.redrives });
    },
    async getDeadLetter(id) {
      const dl = deadLetters.get(id);
      return dl && clone(dl);
    },
    async listDeadLetters(filter = {}) {
      return [...deadLetters.values()]
        .filter((d) => (!filter.runId || d.runId === filter.runId) && (!filter.stage || d.stage === filter.stage) && (!filter.open || !d.redrivenAt))
        .sort((a, b) => b.failedAt.getTime() - a.failedAt.getTime())
        .slice(0, filter.limit ?? 1000)
        .map(clone);
    },
    async markRedriven(id, at) {
      const dl = deadLetters.get(id);
      if (dl) Object.assign(dl, { redrivenAt: at, redrives: (dl.redrives ?? 0) + 1 });
    },
    async pruneRuns(options) {
      const selected = pruneSelection([...runs.values()], options);
      if (options.dryRun) return selected;
      const gone = new Set([...selected.pruned, ...selected.payloadsExpired]);
      for (const [key, mark] of inputs) if (gone.has(mark.runId)) inputs.delete(key);
      const owned = (runId: string) => (entry: { runId: string | null }) => entry.runId === runId;
      for (const runId of selected.payloadsExpired) {
        for (const [key, chunk] of chunks) if (chunk.runId === runId) chunks.delete(key);
        runs.get(runId)!.payloadsExpiredAt = new Date();
      }
      for (const runId of selected.pruned) {
        for (const map of [chunks, ledger, rejections, deadLetters] as Array<Map<string, { runId: string | null }>>) {
          for (const [key, entry] of map) if (owned(runId)(entry)) map.delete(key);
        }
        plans.delete(runId);
        for (const stage of STAGE_NAMES) progress.delete(progressKey(runId, stage));
        runs.delete(runId);
      }
      return selected;
    },
    async close() {
      return undefined;
    },
  };
}
