/**
 * A source is read in splits: bounded pieces that any extractor instance can
 * read on its own (ADR 0004). The plan is cheap to make (Parquet metadata, one
 * byte scan of JSON/CSV) and deterministic: the same content always gives the
 * same splits, so a redone split rewrites the same chunks.
 */
export interface SourceSplit {
  /** 0, 1, 2, … in source order. */
  splitSeq: number;
  /** Source position of the split's first record. */
  firstRecordIndex: number;
  /** Records in the split. */
  recordCount: number;
  /** A row range (Parquet) or a byte range that starts and ends on record boundaries (JSON, CSV); end exclusive. */
  range: { unit: 'rows' | 'bytes'; start: number; end: number };
}

export interface SourcePlan {
  /** The content that was planned (e.g. "size:mtimeMs"): a split of other content is refused (SOURCE_CHANGED). */
  fingerprint: string;
  /**
   * Which source this is, stable from run to run: what a transform puts in target keys built from
   * positions (TransformContext.source). A file's path inside its source root (sourceIdentity);
   * `inline:<hash>` for inline records. A source without one gives its transforms no `context.source`.
   */
  sourceId?: string;
  totalRecords: number;
  splits: SourceSplit[];
}

/** What a pipeline needs from its host to touch files: the worker's configured roots (ETL_SOURCE_ROOTS). */
export interface SourceContext {
  /** Absolute folders every file a pipeline reads must resolve inside, after symlinks and `..`. */
  sourceRoots: readonly string[];
}

export interface PlanOptions {
  /** Most records in one split: bounds the work of one split message. */
  splitRecords: number;
  /** Plan only the first `limit` records of the source (a slice); unset: all of them. */
  limit?: number;
}

/** Where a pipeline's records come from: planned once per run, then read split by split. */
export interface PipelineSource<Raw> {
  /** Resolves (inside options.sourceRoots) and checks the source and cuts it into splits (throws SOURCE_NOT_FOUND, SOURCE_UNREADABLE, BAD_PARAMS). */
  plan(params: Record<string, string>, options: PlanOptions & SourceContext): Promise<SourcePlan>;
  /** The records of one split, in source order; throws SOURCE_CHANGED when the content is no longer what was planned. */
  read(params: Record<string, string>, split: SourceSplit, fingerprint: string, context: SourceContext): AsyncIterable<Raw>;
}
