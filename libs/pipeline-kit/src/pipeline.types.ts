import type { AvroRecordSchema } from '@brokered-etl/contracts';
import type { EnrichmentStep } from './enrichment.types';
import type { ParamSpecs } from './pipeline-params';
import type { PipelineSource, SourceContext } from './source-split.types';

export interface ChunkLimits {
  /** Most records in one chunk message. */
  maxRecords: number;
  /** Most estimated bytes in one chunk message; keep well under the broker's message.max.bytes. */
  maxBytes: number;
}

export interface TransformContext {
  runId: string;
  /** The run's trigger params (e.g. which source file the records came from). */
  params: Record<string, string>;
  /** Aborted when the worker shuts down: pass it to slow third-party calls. */
  signal: AbortSignal;
  /**
   * The source the run read, as its plan named it: `id` is the file's path inside its source root
   * (`flights-20k.json`, `2024/flights.json`; an absolute path for a file another root shadows), or
   * `inline:<hash>` for inline records. Put it in target keys built from a position, so that two
   * sources (two `flights.json` in two folders) never write the same documents; a natural key needs
   * none. Absent for a run planned before sources had an identity, and for a source that gives none.
   */
  source?: { id: string };
}

/**
 * Everything a pipeline is: where records come from, their shape on each
 * topic, how one record is transformed, and where it lands. The stage apps
 * host every pipeline in the catalog; a pipeline never touches Kafka or MongoDB.
 */
export interface PipelineDefinition<Raw = Record<string, unknown>, Out = Record<string, unknown>> {
  name: string;
  description: string;
  /** Every param a run may set: meaning, type and constraints; validateParams checks a run's values against them. */
  params: ParamSpecs;
  /** Avro record schemas of one extracted and one transformed record; contracts wraps them into chunks. */
  extractedRecord: AvroRecordSchema;
  transformedRecord: AvroRecordSchema;
  chunkLimits?: Partial<ChunkLimits>;
  /** Planned into splits once per run, then read split by split by any extractor (ADR 0004); `fileSource()` covers files. */
  source: PipelineSource<Raw>;
  /**
   * Builds the per-record transform once per worker (e.g. loads reference data). Throws VALIDATION_FAILED per bad record.
   * Reference files it reads must resolve inside `context.sourceRoots`, like the source.
   */
  createTransform(context: SourceContext): Promise<(raw: Raw, context: TransformContext) => Out | Promise<Out>>;
  /** A third-party call per transformed record (or batch), run after the transform (docs/enrichment.md). */
  enrichment?: EnrichmentStep<Out>;
  /**
   * Part of what makes two runs' chunks "the same input" (docs/staging.md, "Unchanged input"): a run skips a chunk
   * whose records, params, source and code an earlier run already loaded clean. The worker's code identity covers
   * code changes; set this to make reloads transform again for a reason the code does not show.
   */
  version?: string;
  /**
   * What reference data the transform reads for these params, as a short fingerprint (e.g. a file's size:mtime):
   * a change makes reloads of unchanged input transform again. Leave it out when the transform reads none.
   */
  referenceVersion?(params: Record<string, string>, context: SourceContext): Promise<string>;
  target: {
    collection: string;
    /** A deterministic _id: the same source record always lands on the same document. */
    documentOf(out: Out): { _id: string; [field: string]: unknown };
  };
}

export type AnyPipeline = PipelineDefinition<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
