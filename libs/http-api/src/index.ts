export { buildApiApp } from './api.app';
export { API_DEFAULTS, type ApiOptions, type ApiRunControl, type PipelineInfo } from './api.options';
export { OPENAPI_PATH } from './openapi';
export { registeredRoutes, type RegisteredRoute } from './route-table';
export { DEFAULT_WEB_ROOT } from './web-assets';
export type { ErrorBody } from './schemas/error.schema';
export type { RunSnapshot } from './run-progress';
