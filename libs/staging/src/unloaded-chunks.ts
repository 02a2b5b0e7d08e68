import type { ChunkLedgerEntry, RunRecord } from './staging.types';

/** Chunks of a run extracted but not loaded in its current generation, in chunk order (what still keeps it open). */
export function unloadedChunkSeqs(entries: readonly ChunkLedgerEntry[], generation = 0): number[] {
  const extracted = new Set<number>();
  const loaded = new Set<number>();
  for (const entry of entries) {
    if (entry.recordIndex !== undefined || entry.split) continue;
    if (entry.extracted) extracted.add(entry.chunkSeq);
    if (entry.loaded && (entry.loaded.generation ?? 0) >= generation) loaded.add(entry.chunkSeq);
  }
  return [...extracted].filter((seq) => !loaded.has(seq)).sort((a, b) => a - b);
}

/**
 * The completion check's memory, per process. A run is checked once per
 * loaded chunk after its source ended; summing its whole ledger each time
 * costs a run of N chunks N whole reads, which grows with the run (~1,800
 * entries at 3M records). So the first check sums the ledger and remembers
 * the chunks still unloaded; later checks read those chunks' loaded marks by
 * `_id`, in order, and stop at the first one still missing: the run is not
 * done, and no whole read was needed. Only a check that finds none missing
 * sums the ledger again (for the counts it completes with).
 *
 * What is remembered only ever shrinks to a fresh read: a chunk is dropped
 * once its mark is read, and "still missing" is always a read of now, so a
 * stale memory costs a read, never a wrong answer. A new generation (rerun)
 * or a new end of source (extraction redone) starts over.
 */
export function createUnloadedChunkMemo(isLoaded: (runId: string, chunkSeq: number, generation: number) => Promise<boolean>, capacity = 256) {
  const byRun = new Map<string, { version: string; seqs: Set<number> }>();
  const versionOf = (run: Pick<RunRecord, 'generation' | 'sourceEndedAt'>) => `${run.generation ?? 0}:${run.sourceEndedAt?.getTime() ?? ''}`;

  return {
    /** True when a chunk this process saw unloaded is unloaded still (read now): the run cannot be done. */
    async anyStillUnloaded(run: RunRecord): Promise<boolean> {
      const known = byRun.get(run.runId);
      if (!known || known.version !== versionOf(run)) return false;
      for (const seq of known.seqs) {
        if (!(await isLoaded(run.runId, seq, run.generation ?? 0))) return true;
        known.seqs.delete(seq);
      }
      return false;
    },

    /** After a whole-ledger sum found the run open: what to read next time instead of the ledger. */
    remember(run: RunRecord, entries: readonly ChunkLedgerEntry[]): void {
      byRun.delete(run.runId);
      byRun.set(run.runId, { version: versionOf(run), seqs: new Set(unloadedChunkSeqs(entries, run.generation)) });
      // runs that went elsewhere (another process completed them) are forgotten oldest first
      if (byRun.size > capacity) byRun.delete(byRun.keys().next().value!);
    },

    forget(runId: string): void {
      byRun.delete(runId);
    },
  };
}
