import type { DeadLetter } from '@brokered-etl/contracts';

/** `stalled`: still open, but nothing moved for longer than the stall limit (it goes back to `running` when something does). */
export type RunStatus = 'requested' | 'running' | 'stalled' | 'completed' | 'failed';
export type ChunkStage = 'extracted' | 'transformed';

export interface RunCounts {
  extracted: number;
  transformed: number;
  rejected: number;
  loaded: number;
  chunksExtracted: number;
  chunksLoaded: number;
  /** Splits of the source extracted so far (ADR 0004). */
  splitsExtracted: number;
  /** Chunks whose input an earlier run already loaded unchanged: not staged, transformed or written again (absent when none). */
  chunksSkipped?: number;
  /** The runs whose loads those chunks matched (where their staged artifacts are). */
  skippedFrom?: string[];
  /** Records of chunks not transformed yet that wait on a third-party service, per service (absent when none). */
  waiting?: Record<string, number>;
}

export interface RunRecord {
  runId: string;
  pipeline: string;
  params: Record<string, string>;
  requestedBy: string;
  status: RunStatus;
  requestedAt: Date;
  startedAt?: Date;
  sourceEndedAt?: Date;
  finishedAt?: Date;
  /** Known once the source is exhausted. */
  totalChunks?: number;
  totalRecords?: number;
  failure?: { code: string; message: string };
  /** Splits the source was planned into (ADR 0004); known once planned. */
  splitCount?: number;
  /** Why the run is `stalled`. */
  stall?: { stage: string; reason: string; at: Date };
  counts?: RunCounts;
  /** 0 for the first run, +1 per rerun from staging: completion waits for chunks of the current generation. */
  generation?: number;
  reopenedAt?: Date;
  /** Set when retention dropped the run's staged chunk payloads: it can no longer be rerun from staging. */
  payloadsExpiredAt?: Date;
}

export interface SplitTotals {
  chunks: number;
  records: number;
}

/** A run's source plan as staged once, at its first trigger: every redelivery and every split reads this one. */
export interface StagedPlan {
  runId: string;
  pipeline: string;
  fingerprint: string;
  /** The source's identity (SourcePlan.sourceId), for target keys; absent in plans staged before it existed. */
  sourceId?: string;
  totalRecords: number;
  splitRecords: number;
  /** Splits of the run queued at once: each split's successor is split seq + window (ADR 0004). */
  splitWindow: number;
  splits: Array<{ splitSeq: number; firstRecordIndex: number; recordCount: number; range: { unit: 'rows' | 'bytes'; start: number; end: number } }>;
  plannedAt: Date;
}

/**
 * One chunk of one run exactly as a stage produced it: the Avro message bytes
 * (Confluent wire format, schema id inside), the artifact a rerun re-emits.
 * Stored as one binary field: on FerretDB that costs ~10 µs a record against
 * ~130 µs for the same records as a document tree (bench/README.md).
 */
export interface StagedChunk {
  runId: string;
  pipeline: string;
  stage: ChunkStage;
  chunkSeq: number;
  firstRecordIndex: number;
  recordCount: number;
  payload: Buffer;
  stagedAt: Date;
}

/**
 * Per-chunk accounting: set (never incremented) so redelivery cannot double
 * count. One document per chunk (and per finished split): FerretDB 1.x
 * applies an update as read-modify-write of the whole document, so two
 * workers' `$set`s on one document can lose one; separate documents cannot.
 */
export interface ChunkLedgerEntry {
  runId: string;
  chunkSeq: number;
  /** Set on the entry of a finished split (chunkSeq is then -1): its chunks and records. */
  split?: SplitTotals & { splitSeq: number };
  /** Set on the entry of one redriven record (a patch of its chunk), not on chunks. */
  recordIndex?: number;
  /**
   * `generation`: the run's generation when extracted (a redone split skips chunks marked in the current one).
   * `unchangedSince`: the run that loaded this same input, so this run skipped the chunk (nothing of it is staged here).
   */
  extracted?: { records: number; at: Date; generation?: number; unchangedSince?: string };
  transformed?: { records: number; rejected: number; at: Date };
  /** The transformer put the chunk back to wait on a service: records still pending (cleared by its `transformed` mark). */
  waiting?: { service: string; pending: number; at: Date };
  /**
   * `digest`: the content digest of the chunk's target documents; `unchanged`: the target already held exactly
   * this content for these ids, so nothing was written (the loader's skip).
   */
  loaded?: { records: number; at: Date; generation?: number; digest?: string; unchanged?: boolean };
}

/**
 * A chunk input that went through clean (no rejection, no service call) and
 * whose documents the target holds: keyed by the digest of everything its
 * transform's output depends on (docs/staging.md, "Unchanged input"), so a
 * later run with the same key can skip the chunk.
 */
export interface InputMark {
  /** The run that loaded it. */
  runId: string;
  /** The target's digest entry for the chunk's documents (TargetWriter.holdsDigest) and the content digest it held. */
  digestId: string;
  digest: string;
  records: number;
  at: Date;
}

export interface Rejection {
  id: string;
  runId: string;
  pipeline: string;
  stage: string;
  chunkSeq: number;
  recordIndex: number;
  errorCode: string;
  reason: string;
  record: string;
  rejectedAt: Date;
  /** Set when a redrive of the record succeeded. */
  resolvedAt?: Date;
}

/** A dead letter as kept for `etl dlq`: the DLQ message plus whether it was redriven. */
export type DeadLetterRecord = DeadLetter & {
  redrivenAt?: Date;
  redrives?: number;
};

/**
 * What retention removes: whole runs closed before `runsBefore`, and staged payloads of runs closed before
 * `payloadsBefore`. Input marks of those runs go too, so a later run of the same input goes through (and is staged) again.
 */
export interface PruneOptions {
  /** Completed and failed runs finished before this go entirely: run, ledger, payloads, rejections, dead letters, plan. */
  runsBefore: Date;
  /** Runs finished before this (and kept) lose their staged chunk payloads only; they can no longer be rerun from staging. */
  payloadsBefore?: Date;
  /** Failed runs stay whole (their dead letters can still be redriven). */
  keepFailed?: boolean;
  /** Says what would go, removes nothing. */
  dryRun?: boolean;
}

export interface PruneResult {
  /** Runs removed (or that would be, on a dry run). */
  pruned: string[];
  /** Runs whose payloads were dropped (or would be). */
  payloadsExpired: string[];
}
