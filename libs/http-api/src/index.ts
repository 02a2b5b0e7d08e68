export { buildApiApp } from './api.app';
export type { ApiOptions, ApiRunControl, PipelineInfo } from './api.options';
