import type { Kafka } from 'kafkajs';
import type { Logger } from '@brokered-etl/observability';
import type { BackoffOptions } from './backoff';
import type { DeadLetterSink } from './dead-letter.sink';
import type { InboundMessage } from './message.types';

export interface HandlerContext {
  /**
   * Keeps the group session alive (the runtime also calls it on a timer). Never
   * rejects: when the broker answers that the group is rebalancing, `signal` is
   * aborted instead.
   */
  heartbeat(): Promise<void>;
  /**
   * Aborted when the worker shuts down or this message is revoked by a rebalance:
   * pass it to slow calls and stop at the next check. Whatever the handler does
   * after that is abandoned, uncommitted; the partition's next owner redoes it.
   */
  signal: AbortSignal;
  /** Carries stage, groupId, runId, topic, partition and offset of the message being handled. */
  logger: Logger;
}

/**
 * How one consumed message ended: committed after success or after its dead
 * letter, or left uncommitted (abandoned: shutdown or revoked; fatal: the process stops).
 */
export type MessageOutcome = 'processed' | 'dead-lettered' | 'abandoned' | 'fatal';

export interface MessageHandledEvent {
  topic: string;
  partition: number;
  offset: string;
  outcome: MessageOutcome;
  /** From the first attempt to the end of the last, backoff included. */
  durationMs: number;
  attempts: number;
}

export interface Readiness {
  ok: boolean;
  reason?: string;
  inGroup: boolean;
  /** Since the last heartbeat the broker accepted; null before the first. */
  heartbeatAgeMs: number | null;
}

/** Bounds on retrying a transient (or unknown) failure; the first one reached dead-letters the message as RETRIES_EXHAUSTED. */
export interface RetryOptions {
  maxAttempts: number;
  budgetMs: number;
}

export const DEFAULT_RETRY: Readonly<RetryOptions> = { maxAttempts: 50, budgetMs: 300_000 };
export const DEFAULT_MAX_BATCH_MS = 5_000;

/** The oldest message in progress for longer than stuckAfterMs: a hung handler holding its partition. */
export interface StuckMessage {
  topic: string;
  partition: number;
  offset: string;
  sinceMs: number;
}

export interface StageConsumerOptions<T> {
  kafka: Kafka;
  stage: string;
  groupId: string;
  topics: string[];
  decode(value: Buffer | null): Promise<T>;
  handle(message: InboundMessage<T>, context: HandlerContext): Promise<void>;
  deadLetters: DeadLetterSink;
  logger: Logger;
  /** Partitions processed at once by this instance (bounded concurrency). */
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  backoff?: BackoffOptions;
  /** Default DEFAULT_RETRY; either field may be given alone. */
  retry?: Partial<RetryOptions>;
  /**
   * One eachBatch call takes no new message after this long (default 5 s); the
   * rest is fetched again. kafkajs fetches again only once every batch of a fetch
   * is done, so a long batch would keep this member's other partitions waiting.
   */
  maxBatchMs?: number;
  /** stuck() reports a message in progress for longer than this. Default: retry budget + 60 s. */
  stuckAfterMs?: number;
  /** Called when an error means this process must stop (an incompatible schema, a consumer kafkajs will not restart). */
  onFatal?(error: unknown): void;
  /** Called once per consumed message when it is done with (metrics hook: messaging knows no metrics library). */
  onMessageHandled?(event: MessageHandledEvent): void;
  /**
   * Unready when the broker accepted no heartbeat for this long. The fetch loop
   * heartbeats even when idle (at least every max(heartbeatInterval, 5 s fetch wait)),
   * so a silence longer than that means the broker is gone. Default 10 s.
   */
  readinessStaleMs?: number;
}

export interface StageConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves the first time this member joins its group. */
  joined: Promise<{ memberId: string; groupId: string }>;
  isInGroup(): boolean;
  /** Group membership changes seen by this member: a healthy worker joins once. */
  stats(): { joins: number; rebalances: number };
  /** Ready = started, in its group, and the broker accepted a heartbeat recently. */
  readiness(now?: number): Readiness;
  /** The oldest message in progress for longer than stuckAfterMs, if any: liveness answers 503 on it. */
  stuck(now?: number): StuckMessage | undefined;
}
