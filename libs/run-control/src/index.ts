export { createRunControl, newRunId, pollUntilRunEnds, type RunControl, type RunControlDeps, type RunPollOptions, type TriggerRequest } from './run-control';
export { connectRunControl, type ConnectedRunControl } from './connect';
