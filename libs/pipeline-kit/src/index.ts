export type { PipelineDefinition, AnyPipeline, ChunkLimits, TransformContext } from './pipeline.types';
export type { EnrichmentStep, EnrichmentRequest, EnrichmentAnswer, EnrichmentJob, EnrichmentLimits } from './enrichment.types';
export type { PipelineSource, SourcePlan, SourceSplit, PlanOptions, SourceContext } from './source-split.types';
export { validateParams, type ParamSpec, type ParamSpecs, type ParamCheckOptions } from './pipeline-params';
export { chunkRecords, estimateBytes, DEFAULT_CHUNK_LIMITS, type RecordChunk } from './chunker';
export { fileSource, fileSourceParams, type FileSourceOptions } from './file-source';
export { readFileRecords, resolveSourcePath, formatOf, type FileFormat } from './sources/file-source';
export { confinePath, confineExistingFile, defaultSourceRoots, projectDataDir, vegaDataDir, type ConfinedPath } from './sources/source-roots';
export { sourceIdentity } from './sources/source-identity';
export { readCsv } from './sources/csv.source';
export { readWholeSource } from './whole-source';
export {
  recordShape, text, string, int, long, double, boolean, timestampMillis, array, record, avroSchemaOf, SCALAR_TYPES,
  type RecordShape, type RecordOf, type ValueOf, type FieldSpec, type ScalarField, type ArrayField, type RecordField, type ScalarType,
} from './record-shape';
export { recordReader, sourceText, type RecordReader, type RecordReaderOptions, type SourceRow } from './record-shape.reader';
export { parseRecordShape } from './record-shape.schema';
export { INLINE_RECORDS_PARAM, INLINE_LIMITS, parseInlineRecords, sourceForRun, withoutInlineRecords } from './inline-input';
