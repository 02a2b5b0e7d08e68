/** What the CI quick cases (apps/e2e/src/faults.int.spec.ts) use of the fault suite. */
export { runScenario } from './scenario-runner';
export { QUICK_CASES, FULL_SUITE } from './scenarios';
export { sliceOf } from './slice';
export { formatDetails, formatTable } from './report';
export type { Scenario, ScenarioResult } from './scenario.types';
