export type { PipelineDefinition, AnyPipeline, ChunkLimits, TransformContext } from './pipeline.types';
export { chunkRecords, estimateBytes, DEFAULT_CHUNK_LIMITS, type RecordChunk } from './chunker';
export { readFileRecords, resolveSourcePath, formatOf, vegaDataDir, type FileFormat } from './sources/file-source';
export { readCsv } from './sources/csv.source';
