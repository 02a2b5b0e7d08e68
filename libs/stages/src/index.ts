export { registerSchemas, type SchemaIds } from './stage.schemas';
export { createRunEventPublisher, type RunEventPublisher } from './run-events';
export { createExtractHandler } from './extract.handler';
export { createTransformHandler } from './transform.handler';
export { createLoadHandler } from './load.handler';
export type { StageDeps, LoaderDeps } from './stage.deps';
export { recordingDeadLetters } from './dead-letters';
export { createMemoryStageMetrics, noopStageMetrics, type MemoryStageMetrics, type StageMetrics } from './stage.metrics';
