export { loadDeclaredPipelines, resolvePipelinesDir, projectRootDir, PIPELINE_FILE_EXTENSIONS, type DeclaredPipelines, type RefusedPipelineFile, type LoadOptions } from './pipelines-folder';
export { buildDeclaredPipeline, type DeclaredPipeline } from './declared-pipeline';
export { parsePipelineFile, type ParsedPipelineFile } from './pipeline-file.reader';
/** The movies example written as code: the yardstick the docs and bench:declarative compare against (not in the catalog). */
export { moviesCodePipeline } from './comparison/movies.code-pipeline';
