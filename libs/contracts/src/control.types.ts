export interface RunRequested {
  runId: string;
  pipeline: string;
  params: Record<string, string>;
  requestedAt: Date;
  requestedBy: string;
}

/** One planned piece of a run's source: an extractor reads exactly this and nothing else (ADR 0004). */
export interface ExtractSplit {
  runId: string;
  pipeline: string;
  splitSeq: number;
  splitCount: number;
  firstRecordIndex: number;
  recordCount: number;
  rangeUnit: 'rows' | 'bytes';
  rangeStart: number;
  rangeEnd: number;
  /** The planned content: a split of a source that changed since is refused. */
  fingerprint: string;
  params: Record<string, string>;
}

export type RunEventType =
  | 'run.started'
  | 'chunk.extracted'
  | 'chunk.transformed'
  | 'chunk.loaded'
  | 'split.extracted'
  | 'source.ended'
  | 'run.completed'
  | 'run.failed'
  | 'run.stalled'
  /** A chunk yielded its partition with enrichment calls left: `records` keys pending, `message` "waiting on <service>: N pending". */
  | 'chunk.waiting';

export interface RunEvent {
  runId: string;
  pipeline: string;
  stage: string;
  type: RunEventType;
  at: Date;
  chunkSeq: number | null;
  records: number | null;
  rejected: number | null;
  message: string | null;
}

export interface DeadLetter {
  id: string;
  runId: string | null;
  pipeline: string | null;
  stage: string;
  errorCode: string;
  errorMessage: string;
  attempts: number;
  failedAt: Date;
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: string; value: Buffer | null }>;
  chunkSeq: number | null;
  recordIndex: number | null;
  record: string | null;
}

export interface Chunk<R> {
  runId: string;
  pipeline: string;
  chunkSeq: number;
  firstRecordIndex: number;
  records: R[];
}
