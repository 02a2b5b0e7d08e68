/**
 * How the simulated third party behaves. Every fault is either random (a rate,
 * drawn from a seeded generator so a run is repeatable) or scripted (the next
 * N calls, or calls for given keys), so tests can ask for exactly the path they check.
 */
export interface ThirdPartyOptions {
  /** Latency of one answer: log-normal with this median and 95th percentile (ms). */
  latency: { medianMs: number; p95Ms: number };
  /** The service's own limit: beyond it a call gets 429 with Retry-After (seconds). Unset: no limit. */
  throttle?: { requestsPerSecond: number; burst: number; retryAfterSeconds: number };
  /** Share of calls answered 503 (0…1). */
  serverErrorRate: number;
  /** Keys refused with 422 and a reason: a permanent failure for that record. */
  refusedKeys: string[];
  /** Keys whose calls never answer (until the client gives up): timeouts. */
  hangingKeys: string[];
  /** Submit/poll mode: how long a submitted job takes to be ready (ms). */
  jobDurationMs: number;
  seed: number;
}

export const DEFAULT_THIRD_PARTY: ThirdPartyOptions = {
  latency: { medianMs: 20, p95Ms: 80 },
  serverErrorRate: 0,
  refusedKeys: [],
  hangingKeys: [],
  jobDurationMs: 2_000,
  seed: 1,
};

/** The next `count` calls are answered with `status` (with a Retry-After when `retryAfterSeconds` is given), or never (`hang`: a timeout). */
export type ScriptedFailure = { status: number; count: number; retryAfterSeconds?: number } | { hang: true; count: number };
