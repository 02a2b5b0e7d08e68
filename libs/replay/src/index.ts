export { planReset, parseIsoDuration, type ResetTarget, type PlanRow } from './offset-plan';
export { replayStage, type OffsetReplayRequest, type OffsetReplayResult } from './offset-replay';
export { rerunFromStaging, type RerunFrom, type RerunResult, type ReplayOptions } from './rerun';
export { redriveDeadLetters, type RedriveSelection, type RedriveResult } from './dead-letter-redrive';
