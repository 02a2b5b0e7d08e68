/**
 * What the handlers count, per pipeline. A port, so that libs/stages does not
 * depend on a metrics library: the worker passes a prom-client implementation.
 */
export interface StageMetrics {
  recordsIn(pipeline: string, n: number): void;
  recordsOut(pipeline: string, n: number): void;
  rejected(pipeline: string, n: number): void;
  deadLettered(pipeline: string | null, code: string): void;
}

export const noopStageMetrics: StageMetrics = {
  recordsIn: () => undefined,
  recordsOut: () => undefined,
  rejected: () => undefined,
  deadLettered: () => undefined,
};

export interface MemoryStageMetrics extends StageMetrics {
  /** Totals by "<kind>:<pipeline>", e.g. "in:flights", "deadLettered:flights:VALIDATION_FAILED". */
  totals: Map<string, number>;
  total(key: string): number;
}

/** Keeps totals in memory: for unit tests of code that counts. */
export function createMemoryStageMetrics(): MemoryStageMetrics {
  const totals = new Map<string, number>();
  const add = (key: string, n: number) => totals.set(key, (totals.get(key) ?? 0) + n);
  return {
    totals,
    total: (key) => totals.get(key) ?? 0,
    recordsIn: (pipeline, n) => void add(`in:${pipeline}`, n),
    recordsOut: (pipeline, n) => void add(`out:${pipeline}`, n),
    rejected: (pipeline, n) => void add(`rejected:${pipeline}`, n),
    deadLettered: (pipeline, code) => void add(`deadLettered:${pipeline ?? ''}:${code}`, 1),
  };
}
