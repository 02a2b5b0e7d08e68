import { isRunDone, sumLedger, type StagingStore } from './staging.store';
import type { ChunkLedgerEntry, ChunkStage, Rejection, RunRecord, StagedChunk } from './staging.types';

const clone = <T>(value: T): T => structuredClone(value);

/** In-memory staging for unit tests; passes the same conformance suite as the MongoDB store. */
export function createMemoryStagingStore(): StagingStore {
  const runs = new Map<string, RunRecord>();
  const chunks = new Map<string, StagedChunk>();
  const ledger = new Map<string, ChunkLedgerEntry>();
  const rejections = new Map<string, Rejection>();
  const ledgerOf = (runId: string) => [...ledger.values()].filter((e) => e.runId === runId);

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
      if (!run) return undefined;
      if (run.status === 'completed') return clone(run);
      const counts = sumLedger(ledgerOf(runId));
      run.counts = counts;
      if (run.status === 'failed' || !isRunDone(run, counts)) return undefined;
      Object.assign(run, { status: 'completed', finishedAt: at });
      return clone(run);
    },
    async reopenRun(runId, at) {
      const run = runs.get(runId);
      if (!run) return;
      Object.assign(run, { status: 'running', startedAt: at });
      delete run.finishedAt;
      delete run.failure;
    },
    async stageChunk(chunk) {
      chunks.set(`${chunk.runId}:${chunk.stage}:${chunk.chunkSeq}`, { ...clone(chunk), payload: Buffer.from(chunk.payload) });
    },
    async *readChunks(runId: string, stage: ChunkStage) {
      const found = [...chunks.values()].filter((c) => c.runId === runId && c.stage === stage).sort((a, b) => a.chunkSeq - b.chunkSeq);
      for (const chunk of found) yield { ...clone(chunk), payload: Buffer.from(chunk.payload) };
    },
    async markChunk(runId, chunkSeq, entry) {
      const key = `${runId}:${chunkSeq}`;
      const current = ledger.get(key) ?? { runId, chunkSeq };
      const defined = Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined));
      ledger.set(key, { ...current, ...clone(defined) });
    },
    async countRun(runId) {
      return sumLedger(ledgerOf(runId));
    },
    async recordRejections(list) {
      for (const r of list) rejections.set(r.id, clone(r));
    },
    async listRejections(runId) {
      return [...rejections.values()].filter((r) => r.runId === runId).sort((a, b) => a.chunkSeq - b.chunkSeq || a.recordIndex - b.recordIndex);
    },
    async close() {
      return undefined;
    },
  };
}
