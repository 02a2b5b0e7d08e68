import { createHash } from 'node:crypto';

export interface RiskEvaluation {
  key: string;
  /** 0 (none) … 100 (severe), the same for the same key every time. */
  score: number;
  level: 'low' | 'elevated' | 'high';
  /** The simulated model that produced it. */
  model: string;
}

/** A deterministic answer, so a test can check the record carries the service's answer for its key. */
export function evaluateRisk(key: string): RiskEvaluation {
  const score = createHash('sha256').update(key).digest().readUInt16BE(0) % 101;
  return { key, score, level: score < 40 ? 'low' : score < 75 ? 'elevated' : 'high', model: 'sim-risk-1' };
}
