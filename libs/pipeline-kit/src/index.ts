export type { PipelineDefinition, AnyPipeline, ChunkLimits, TransformContext } from './pipeline.types';
export type { PipelineSource, SourcePlan, SourceSplit, PlanOptions } from './source-split.types';
export { chunkRecords, estimateBytes, DEFAULT_CHUNK_LIMITS, type RecordChunk } from './chunker';
export { fileSource, fileSourceParams, type FileSourceOptions } from './file-source';
export { readFileRecords, resolveSourcePath, formatOf, vegaDataDir, type FileFormat } from './sources/file-source';
export { readCsv } from './sources/csv.source';
export { readWholeSource } from './whole-source';
