export { startThirdPartyService, type ThirdPartyService } from './third-party.server';
export { DEFAULT_THIRD_PARTY, type ThirdPartyOptions, type ScriptedFailure } from './third-party.options';
export { evaluateRisk, type RiskEvaluation } from './risk-evaluation';
export type { CallCounters } from './call-counters';
