export { startStageWorker, type StageWorkerOptions, type RunningWorker } from './stage-worker';
export { stageWorkerEnvSchema, OPS_PORTS, type StageWorkerEnv } from './worker.config';
export { runStageApp } from './stage-app';
