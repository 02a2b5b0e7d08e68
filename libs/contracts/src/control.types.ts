export interface RunRequested {
  runId: string;
  pipeline: string;
  params: Record<string, string>;
  requestedAt: Date;
  requestedBy: string;
}

export type RunEventType =
  | 'run.started'
  | 'chunk.extracted'
  | 'chunk.transformed'
  | 'chunk.loaded'
  | 'source.ended'
  | 'run.completed'
  | 'run.failed';

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
