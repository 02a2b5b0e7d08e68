export { createRootLogger, createSilentLogger, redactFormat, type Logger, type LoggerOptions } from './logger';
export { clearRegisteredSecrets, redactDeep, redactSecrets, registerSecret, registerSecrets } from './redact';
export { startOpsServer, type OpsServer, type OpsServerOptions, type Probe, type ProbeResult } from './ops-server';
export {
  createMetricsRegistry,
  createStageMetrics,
  type MessageOutcome,
  type PartitionLagSample,
  type PromStageMetrics,
  type Registry,
  type StageMetricsOptions,
} from './stage.metrics';
export { createApiMetrics, type AnsweredRequest, type PromApiMetrics } from './api.metrics';
export { createSchedulerMetrics, type PromSchedulerMetrics, type SchedulerMetricsOptions } from './scheduler.metrics';
export { withTimeout, TimeoutError } from './with-timeout';
