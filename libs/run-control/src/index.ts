export { createRunControl, newRunId, type RunControl, type RunControlDeps, type TriggerRequest } from './run-control';
export { connectRunControl, type ConnectedRunControl } from './connect';
