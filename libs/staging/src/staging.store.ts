import type { ChunkLedgerEntry, ChunkStage, DeadLetterRecord, InputMark, PruneOptions, PruneResult, Rejection, RunCounts, RunRecord, SplitTotals, StagedChunk, StagedPlan } from './staging.types';

/**
 * The staging area, as a port: runs, staged chunks, chunk accounting and
 * rejections. Two implementations (MongoDB, in-memory) pass one conformance
 * suite. Every write is idempotent: at-least-once delivery calls them twice.
 */
export interface StagingStore {
  /** Inserts the run if it does not exist yet; returns false when it already did. */
  createRun(run: RunRecord): Promise<boolean>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  listRuns(options?: { limit?: number; pipeline?: string }): Promise<RunRecord[]>;
  markRunStarted(runId: string, at: Date): Promise<void>;
  markSourceEnded(runId: string, totals: { totalChunks: number; totalRecords: number }, at: Date): Promise<void>;
  failRun(runId: string, failure: { code: string; message: string }, at: Date): Promise<void>;
  /**
   * Completes the run when every extracted chunk is loaded. Returns the run only
   * to the one call that completed it, so "run completed" is announced once, not
   * again for every chunk a replay or redrive delivers afterwards.
   */
  completeRunIfDone(runId: string, at: Date): Promise<RunRecord | undefined>;
  /** Re-opens a run for a rerun from staging; returns the new generation. */
  reopenRun(runId: string, at: Date): Promise<number>;
  /**
   * A failed run whose lost message was redriven goes on where it stopped (same
   * generation): `running` again, its failure cleared. A run in any other state is left alone.
   */
  resumeRun(runId: string, at: Date): Promise<boolean>;
  /** Forgets the run's plan and finished splits (a redriven trigger of a failed run plans its source again). */
  resetExtraction(runId: string): Promise<void>;

  /** Stages the run's plan unless it has one; returns the plan that is staged (the first one wins). Sets run.splitCount. */
  savePlan(plan: StagedPlan): Promise<StagedPlan>;
  getPlan(runId: string): Promise<StagedPlan | undefined>;
  /** Marks one split finished: its own ledger entry, idempotent per split. */
  markSplitDone(runId: string, splitSeq: number, totals: SplitTotals): Promise<void>;
  /** Which of the given splits of a run are finished (read by `_id`, one per split). */
  splitsDone(runId: string, splitSeqs: readonly number[]): Promise<Set<number>>;
  /** One chunk's "extracted" mark (read by `_id`): a redone split skips what was already produced. */
  extractedMark(runId: string, chunkSeq: number): Promise<ChunkLedgerEntry['extracted'] | undefined>;
  /** Something moved the run forward (one document per run and stage); a `stalled` run is `running` again. */
  markProgress(runId: string, stage: string, at: Date): Promise<void>;
  /** Open runs whose last progress is older than `before` become `stalled`; returns the runs it just marked. */
  markStalledRuns(before: Date, at: Date): Promise<RunRecord[]>;

  stageChunk(chunk: StagedChunk): Promise<void>;
  /** The run's staged chunks of one stage in chunkSeq order (those its ledger marks for that stage). */
  readChunks(runId: string, stage: ChunkStage): AsyncIterable<StagedChunk>;

  markChunk(runId: string, chunkSeq: number, entry: Omit<ChunkLedgerEntry, 'runId' | 'chunkSeq' | 'recordIndex'>): Promise<void>;
  /** Accounting of one redriven record: its own entry, so the chunk's stays as it was. */
  markRecordPatch(runId: string, chunkSeq: number, recordIndex: number, entry: Omit<ChunkLedgerEntry, 'runId' | 'chunkSeq' | 'recordIndex' | 'extracted'>): Promise<void>;
  /** Live counts of the run's current generation: a rerun's loaded count starts again from zero. */
  countRun(runId: string): Promise<RunCounts>;
  /** countRun for many runs in one read (a listing of runs still going); every run asked for gets an entry. */
  countRuns(runs: ReadonlyArray<Pick<RunRecord, 'runId' | 'generation'>>): Promise<Map<string, RunCounts>>;

  /** A clean chunk input as loaded (by its key, docs/staging.md "Unchanged input"); the last load of a key wins. */
  markInput(key: string, mark: InputMark): Promise<void>;
  /** The input mark by `_id`, if any run loaded that key clean. */
  getInputMark(key: string): Promise<InputMark | undefined>;

  recordRejections(rejections: Rejection[]): Promise<void>;
  listRejections(runId: string): Promise<Rejection[]>;
  resolveRejection(runId: string, id: string, at: Date): Promise<void>;

  recordDeadLetter(deadLetter: DeadLetterRecord): Promise<void>;
  getDeadLetter(id: string): Promise<DeadLetterRecord | undefined>;
  listDeadLetters(filter?: { runId?: string; stage?: string; open?: boolean; limit?: number }): Promise<DeadLetterRecord[]>;
  markRedriven(id: string, at: Date): Promise<void>;

  /** Retention: removes closed runs (never open ones) and expires payloads; targets are never touched. */
  pruneRuns(options: PruneOptions): Promise<PruneResult>;

  close(): Promise<void>;
}

/**
 * A ledger entry's key: one per chunk (and per redriven record of it) AND per
 * stage. Each stage writes only its own entries: FerretDB 1.x applies an
 * update as read-modify-write of the whole document, so a loader's "loaded"
 * and an extractor's redone "extracted" on one document could lose one.
 */
export const ledgerKey = (runId: string, chunkSeq: number, recordIndex: number | undefined, mark: LedgerMark): string =>
  `${recordIndex === undefined ? `${runId}:${chunkSeq}` : `${runId}:${chunkSeq}:r${recordIndex}`}:${mark}`;

export type LedgerMark = 'extracted' | 'transformed' | 'loaded' | 'waiting';

/** One mark call as the per-stage entries it writes. */
export function ledgerMarks(entry: object): Array<[LedgerMark, Record<string, unknown>]> {
  return (['extracted', 'transformed', 'loaded', 'waiting'] as const).flatMap((mark) => {
    const value = (entry as Record<string, unknown>)[mark];
    return value === undefined ? [] : [[mark, { [mark]: value }] as [LedgerMark, Record<string, unknown>]];
  });
}

/** A finished split's ledger entry. */
export const splitLedgerKey = (runId: string, splitSeq: number): string => `${runId}:split:${splitSeq}`;

/** A run's progress as noted by one stage: one document each, so stages never write the same one. */
export const progressKey = (runId: string, stage: string): string => `${runId}:${stage}`;

/** The fields of a ledger mark that were given: a mark sets them (never increments), leaving the others as they were. */
export const definedFields = (entry: object): Record<string, unknown> => Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined));

/** Sums a run's ledger; shared by both implementations so they cannot drift. */
export function sumLedger(entries: ChunkLedgerEntry[], generation = 0): RunCounts {
  const counts: RunCounts = { extracted: 0, transformed: 0, rejected: 0, loaded: 0, chunksExtracted: 0, chunksLoaded: 0, splitsExtracted: 0 };
  const waiting = new Map<number, { service: string; pending: number }>();
  const transformedChunks = new Set<number>();
  for (const entry of entries) {
    if (entry.waiting && entry.recordIndex === undefined) {
      waiting.set(entry.chunkSeq, entry.waiting);
      continue;
    }
    if (entry.split) {
      counts.splitsExtracted += 1;
      continue;
    }
    const isPatch = entry.recordIndex !== undefined;
    if (isPatch) {
      // a redriven record that now passes: one more transformed/loaded, one fewer rejected
      if (entry.transformed) {
        counts.transformed += entry.transformed.records;
        counts.rejected += entry.transformed.rejected;
      }
      if (entry.loaded) counts.loaded += entry.loaded.records;
      continue;
    }
    if (entry.extracted) {
      counts.extracted += entry.extracted.records;
      counts.chunksExtracted += 1;
      if (entry.extracted.unchangedSince) {
        counts.chunksSkipped = (counts.chunksSkipped ?? 0) + 1;
        if (!counts.skippedFrom?.includes(entry.extracted.unchangedSince)) counts.skippedFrom = [...(counts.skippedFrom ?? []), entry.extracted.unchangedSince];
      }
    }
    if (entry.transformed) {
      counts.transformed += entry.transformed.records;
      counts.rejected += entry.transformed.rejected;
      transformedChunks.add(entry.chunkSeq);
    }
    // a rerun counts (and completes on) chunks loaded again, not the first run's marks
    if (entry.loaded && (entry.loaded.generation ?? 0) >= generation) {
      counts.loaded += entry.loaded.records;
      counts.chunksLoaded += 1;
    }
  }
  for (const [chunkSeq, { service, pending }] of waiting) {
    if (transformedChunks.has(chunkSeq)) continue;
    counts.waiting ??= {};
    counts.waiting[service] = (counts.waiting[service] ?? 0) + pending;
  }
  return counts;
}

/** Which closed runs a prune removes whole, and which only lose their payloads; shared by both implementations. */
export function pruneSelection(runs: readonly RunRecord[], options: PruneOptions): PruneResult {
  const closedAt = (run: RunRecord) => run.finishedAt ?? run.requestedAt;
  const closed = runs.filter((run) => !isRunOpen(run));
  const pruned = closed.filter((run) => closedAt(run) < options.runsBefore && !(options.keepFailed && run.status === 'failed'));
  const gone = new Set(pruned.map((run) => run.runId));
  const payloadsBefore = options.payloadsBefore;
  const payloadsExpired = payloadsBefore ? closed.filter((run) => !gone.has(run.runId) && !run.payloadsExpiredAt && closedAt(run) < payloadsBefore) : [];
  return { pruned: pruned.map((run) => run.runId), payloadsExpired: payloadsExpired.map((run) => run.runId) };
}

export const OPEN_STATUSES = ['requested', 'running', 'stalled'] as const;
export const isRunOpen = (run: RunRecord): boolean => (OPEN_STATUSES as readonly string[]).includes(run.status);

/** The last progress of a run among its stages' notes; a run nobody moved yet counts from its start. */
export function lastProgress(run: RunRecord, notes: ReadonlyArray<{ stage: string; at: Date }>): { stage: string; at: Date } {
  const latest = [...notes].sort((a, b) => b.at.getTime() - a.at.getTime())[0];
  return latest ?? { stage: 'extractor', at: run.startedAt ?? run.requestedAt };
}

/** What the stall watchdog tells about a run that stopped moving. */
export function stallReason(run: RunRecord, last: { stage: string; at: Date }): { stage: string; reason: string } {
  const planned = run.splitCount === undefined ? ', source not planned yet' : `, ${run.splitCount} splits planned`;
  return { stage: last.stage, reason: `no progress since ${last.at.toISOString()} (last: ${last.stage}${planned}); see its dead letters and the workers' health` };
}

/**
 * An open run whose source has not ended cannot complete, and nobody reads its
 * stored counts (describeRun/describeRuns count open runs live): completeRunIfDone
 * leaves its ledger unread. Each loaded chunk calls it, and summing the ledger
 * costs per entry (~0.3 ms each on FerretDB), so this keeps loading linear
 * while the source is still being read.
 */
export const awaitsSourceEnd = (run: RunRecord): boolean => isRunOpen(run) && run.totalChunks === undefined;

export function isRunDone(run: RunRecord, counts: RunCounts): boolean {
  return run.totalChunks !== undefined && counts.chunksLoaded >= run.totalChunks;
}
