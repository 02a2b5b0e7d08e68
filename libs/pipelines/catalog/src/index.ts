export { PIPELINES, DECLARED_PIPELINES, pipelineCatalog, type PipelineCatalog } from './catalog';
