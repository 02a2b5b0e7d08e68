export { PIPELINES, pipelineCatalog, type PipelineCatalog } from './catalog';
