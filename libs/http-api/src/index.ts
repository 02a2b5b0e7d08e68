export { buildApiApp } from './api.app';
export type { ApiOptions, ApiRunControl, PipelineInfo } from './api.options';
export type { ApiAuth, ApiScope, ApiToken } from './auth';
