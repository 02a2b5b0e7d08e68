import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { HEADERS, type DeadLetter } from '@brokered-etl/contracts';
import { classify, errorCodeOf, errorMessageOf } from '@brokered-etl/errors';
import { sleep } from '@brokered-etl/lifecycle';
import type { Logger } from '@brokered-etl/observability';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { deadLetterOf, type DeadLetterSink } from './dead-letter.sink';
import { headersToList, headersToStrings, type InboundMessage, type MessageEnvelope } from './message.types';

export interface HandlerContext {
  /** Keeps the group session alive; the runtime already calls it on a timer during work. */
  heartbeat(): Promise<void>;
  /** Aborted when the worker shuts down: pass it to slow calls. */
  signal: AbortSignal;
  /** Carries stage, groupId, runId, topic, partition and offset of the message being handled. */
  logger: Logger;
}

/** How one consumed message ended: committed after success or after its dead letter, or left uncommitted. */
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
  /** Called when an error means this process must stop (e.g. an incompatible schema). */
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
}

const nextOffset = (offset: string) => (BigInt(offset) + 1n).toString();

/**
 * The one consumer loop every stage runs: decode → handle → commit, one
 * message at a time per partition. Offsets are committed only after the
 * handler returned, i.e. after its output is staged and produced.
 * Transient failures retry forever with backoff (partition paused, session
 * kept alive); permanent ones go to the DLQ and the partition moves on.
 */
export function createStageConsumer<T>(options: StageConsumerOptions<T>): StageConsumer {
  const log = options.logger.child({ module: 'stage-consumer', stage: options.stage, groupId: options.groupId });
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  const heartbeatInterval = options.heartbeatIntervalMs ?? 3_000;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const abort = new AbortController();
  let stopping = false;
  let inGroup = false;
  let started = false;
  let lastHeartbeatAt: number | undefined;
  const readinessStaleMs = options.readinessStaleMs ?? 10_000;
  const counters = { joins: 0, rebalances: 0 };

  const consumer: Consumer = options.kafka.consumer({
    groupId: options.groupId,
    sessionTimeout,
    heartbeatInterval,
    rebalanceTimeout: Math.max(60_000, sessionTimeout * 2),
    allowAutoTopicCreation: false,
    maxBytesPerPartition: 8 * 1024 * 1024,
  });

  let markJoined: (info: { memberId: string; groupId: string }) => void = () => undefined;
  const joined = new Promise<{ memberId: string; groupId: string }>((resolve) => (markJoined = resolve));
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    inGroup = true;
    lastHeartbeatAt = Date.now();
    counters.joins++;
    log.info('joined group', { memberId: payload.memberId, isLeader: payload.isLeader, assignment: payload.memberAssignment });
    markJoined({ memberId: payload.memberId, groupId: payload.groupId });
  });
  consumer.on(consumer.events.REBALANCING, () => {
    inGroup = false;
    counters.rebalances++;
    log.info('group rebalancing');
  });
  consumer.on(consumer.events.HEARTBEAT, () => (lastHeartbeatAt = Date.now()));
  consumer.on(consumer.events.STOP, () => (inGroup = false));
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    inGroup = false;
    log.error('consumer crashed', { error: payload.error?.message, restart: payload.restart });
  });

  // the abort listener goes with its timer: retrying for hours must not pile listeners on the one shared signal
  /** Only "processed" and "dead-lettered" messages are committed; the others stay for redelivery. */
  async function processOne(payload: EachBatchPayload, message: KafkaMessage): Promise<{ outcome: MessageOutcome; attempts: number }> {
    const { topic, partition } = payload.batch;
    // headers converted once: every attempt and a dead letter see the same ones
    const envelope: MessageEnvelope = {
      topic,
      partition,
      offset: message.offset,
      key: message.key ?? null,
      rawValue: message.value ?? null,
      headers: headersToStrings(message.headers),
      rawHeaders: headersToList(message.headers),
    };
    const msgLog = log.child({ runId: envelope.headers[HEADERS.runId], topic, partition, offset: message.offset });
    let resume: (() => void) | undefined;
    const keepAlive = setInterval(() => {
      payload.heartbeat().catch((err: unknown) => msgLog.warn('heartbeat failed', { error: errorMessageOf(err) }));
    }, heartbeatInterval);
    const context: HandlerContext = { heartbeat: () => payload.heartbeat(), signal: abort.signal, logger: msgLog };
    let attempt = 1;
    try {
      for (; ; attempt++) {
        try {
          const value = await options.decode(message.value);
          await options.handle({ ...envelope, value, attempt }, context);
          return { outcome: 'processed', attempts: attempt };
        } catch (err) {
          const decision = classify(err);
          if (decision === 'crash') {
            msgLog.error('fatal error, stopping', { code: errorCodeOf(err), error: errorMessageOf(err) });
            options.onFatal?.(err);
            return { outcome: 'fatal', attempts: attempt };
          }
          if (decision === 'dead-letter') {
            msgLog.warn('dead-lettering message', { code: errorCodeOf(err), error: errorMessageOf(err) });
            const published = await publishWithRetry(deadLetterOf(options.stage, envelope, err, attempt), msgLog);
            return { outcome: published ? 'dead-lettered' : 'abandoned', attempts: attempt };
          }
          if (stopping) return { outcome: 'abandoned', attempts: attempt };
          resume ??= payload.pause();
          const wait = backoffDelay(attempt, backoff);
          msgLog.warn('transient failure, retrying', { attempt, retryInMs: wait, code: errorCodeOf(err), error: errorMessageOf(err) });
          await sleep(wait, abort.signal);
          if (stopping) return { outcome: 'abandoned', attempts: attempt };
        }
      }
    } finally {
      clearInterval(keepAlive);
      resume?.();
    }
  }

  async function publishWithRetry(deadLetter: DeadLetter, msgLog: Logger): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await options.deadLetters.publish(deadLetter);
        return true;
      } catch (err) {
        if (stopping) return false;
        const wait = backoffDelay(attempt, backoff);
        msgLog.warn('cannot publish dead letter yet, retrying', { attempt, retryInMs: wait, error: errorMessageOf(err) });
        await sleep(wait, abort.signal);
      }
    }
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { topic, partition } = payload.batch;
    for (const message of payload.batch.messages) {
      if (!payload.isRunning() || payload.isStale() || stopping) return;
      const startedAt = performance.now();
      const { outcome, attempts } = await processOne(payload, message);
      report({ topic, partition, offset: message.offset, outcome, attempts, durationMs: performance.now() - startedAt });
      if (outcome !== 'processed' && outcome !== 'dead-lettered') return;
      payload.resolveOffset(message.offset);
      await consumer.commitOffsets([{ topic, partition, offset: nextOffset(message.offset) }]);
    }
  }

  function report(event: MessageHandledEvent): void {
    try {
      options.onMessageHandled?.(event);
    } catch (err) {
      log.warn('message hook failed', { error: errorMessageOf(err) });
    }
  }

  function readiness(now = Date.now()): Readiness {
    const heartbeatAgeMs = lastHeartbeatAt === undefined ? null : now - lastHeartbeatAt;
    const state = { inGroup, heartbeatAgeMs };
    if (stopping) return { ok: false, reason: 'stopping', ...state };
    if (!started) return { ok: false, reason: 'starting', ...state };
    if (!inGroup) return { ok: false, reason: 'not in its consumer group (joining, rebalancing or crashed)', ...state };
    if (heartbeatAgeMs === null || heartbeatAgeMs > readinessStaleMs) {
      return { ok: false, reason: `no heartbeat accepted by the broker for ${((heartbeatAgeMs ?? 0) / 1000).toFixed(1)} s (limit ${readinessStaleMs / 1000} s)`, ...state };
    }
    return { ok: true, ...state };
  }

  return {
    joined,
    isInGroup: () => inGroup,
    stats: () => ({ ...counters }),
    readiness,
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topics: options.topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 2,
        eachBatch,
      });
      started = true;
    },
    async stop() {
      stopping = true;
      abort.abort();
      await consumer.disconnect();
      log.info('left group');
    },
  };
}
