import Bottleneck from 'bottleneck';
import type { EnrichmentLimits } from '@brokered-etl/pipeline-kit';

export interface ServiceLimiter {
  /** Runs one attempt when a concurrency slot and a rate token are free. */
  run<T>(attempt: () => Promise<T>): Promise<T>;
  /** Attempts running now. */
  running(): number;
  stop(): Promise<void>;
}

/** Refill often enough that a sustained rate is smooth, in steps no shorter than 50 ms (a timer per limiter). */
const refillOf = (requestsPerSecond: number) => {
  const intervalMs = Math.max(50, Math.round(1000 / requestsPerSecond));
  return { intervalMs, amount: (requestsPerSecond * intervalMs) / 1000 };
};

/**
 * Bottleneck as a concurrency limit plus a token bucket: the reservoir starts
 * full (`burst`) and refills at `requestsPerSecond`, never above `burst`. One
 * limiter per pipeline in a worker, shared by every partition it works on;
 * each attempt (retries too) takes a slot and a token, waits outside both.
 */
export function createServiceLimiter(limits: Pick<EnrichmentLimits, 'concurrency' | 'requestsPerSecond' | 'burst'>): ServiceLimiter {
  const refill = refillOf(limits.requestsPerSecond);
  const limiter = new Bottleneck({
    maxConcurrent: limits.concurrency,
    reservoir: limits.burst,
    reservoirIncreaseAmount: refill.amount,
    reservoirIncreaseInterval: refill.intervalMs,
    reservoirIncreaseMaximum: limits.burst,
    // Bottleneck refills only on its heartbeat (250 ms by default): one refill per heartbeat would cap the rate at amount × 4/s
    heartbeatInterval: refill.intervalMs,
  });
  let running = 0;
  return {
    run: (attempt) =>
      limiter.schedule(async () => {
        running++;
        try {
          return await attempt();
        } finally {
          running--;
        }
      }),
    running: () => running,
    stop: () => limiter.stop({ dropWaitingJobs: true }),
  };
}
