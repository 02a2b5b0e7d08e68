import type { EachBatchPayload } from 'kafkajs';
import { errorMessageOf } from '@brokered-etl/errors';
import type { Logger } from '@brokered-etl/observability';
import { rebalanceErrorOf } from './kafka.errors';

/** This member's hold on one message while it is handled. */
export interface MessageLease {
  /** Aborted on shutdown or when a rebalance revokes the message. */
  readonly signal: AbortSignal;
  /** True once a rebalance took the message away: nothing about it may be committed. */
  revoked(): boolean;
  /** Never rejects. */
  heartbeat(): Promise<void>;
  /** Stops the keep-alive timer and drops the shutdown listener. */
  release(): void;
}

export interface LeaseOptions {
  /** The worker's shutdown signal. */
  shutdown: AbortSignal;
  heartbeatIntervalMs: number;
  logger: Logger;
}

/**
 * Heartbeats for one message, on a timer and whenever the handler asks. kafkajs
 * rethrows the broker's rebalance answers from heartbeat(), and cannot rejoin
 * until eachBatch returns (fetcher.js awaits the worker queue): retrying the
 * handler on them would loop until the member is evicted. So such an answer
 * revokes the message instead, by aborting its signal; other heartbeat failures
 * (a connection blip) are only logged, the next beat tries again.
 */
export function leaseMessage(payload: Pick<EachBatchPayload, 'heartbeat'>, options: LeaseOptions): MessageLease {
  const controller = new AbortController();
  let revokedBy: Error | undefined;
  // a listener of its own, removed on release, rather than AbortSignal.any: the shutdown signal lives as long as the process
  const onShutdown = () => controller.abort(options.shutdown.reason);
  if (options.shutdown.aborted) onShutdown();
  else options.shutdown.addEventListener('abort', onShutdown, { once: true });

  async function heartbeat(): Promise<void> {
    if (revokedBy) return;
    try {
      await payload.heartbeat();
    } catch (err) {
      const rebalance = rebalanceErrorOf(err);
      if (!rebalance) {
        options.logger.warn('heartbeat failed', { error: errorMessageOf(err) });
        return;
      }
      if (revokedBy) return;
      revokedBy = rebalance;
      options.logger.warn('message revoked by a group rebalance: abandoned to its next owner', { error: errorMessageOf(rebalance) });
      controller.abort(rebalance);
    }
  }

  const keepAlive = setInterval(() => void heartbeat(), options.heartbeatIntervalMs);
  return {
    signal: controller.signal,
    revoked: () => revokedBy !== undefined,
    heartbeat,
    release() {
      clearInterval(keepAlive);
      options.shutdown.removeEventListener('abort', onShutdown);
    },
  };
}
