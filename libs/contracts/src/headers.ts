/** Lineage carried on every message we produce (DESIGN §3). */
export const HEADERS = {
  runId: 'etl-run-id',
  pipeline: 'etl-pipeline',
  chunkSeq: 'etl-chunk-seq',
  attempt: 'etl-attempt',
  replayOf: 'etl-replay-of',
  traceId: 'etl-trace-id',
  producedBy: 'etl-produced-by',
  /** Rerun generation of the run this chunk belongs to (absent: the first run). */
  generation: 'etl-generation',
  /** Id of the dead letter a redriven message comes from. */
  redriveOf: 'etl-redrive-of',
  /** Set by a rerun or redrive with --refresh-enrichment: staged enrichment answers older than this time are asked again. */
  enrichmentRefreshAt: 'etl-enrichment-refresh-at',
  /** The chunk's input key (docs/staging.md, "Unchanged input"); carried only while the chunk is clean, so the loader can mark it. */
  inputKey: 'etl-input-key',
} as const;
