export { loadDeclaredPipelines, resolvePipelinesDir, projectRootDir, PIPELINE_FILE_EXTENSIONS, type DeclaredPipelines, type RefusedPipelineFile, type LoadOptions } from './pipelines-folder';
export { buildDeclaredPipeline, type DeclaredPipeline } from './declared-pipeline';
export { parsePipelineFile, type ParsedPipelineFile } from './pipeline-file.reader';
