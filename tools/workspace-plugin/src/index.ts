export { pipelineGenerator } from './generators/pipeline/pipeline.generator';
export { pipelineNamesOf, SOURCE_FORMATS, type PipelineGeneratorOptions, type PipelineNames, type SourceFormat } from './generators/pipeline/pipeline.options';
