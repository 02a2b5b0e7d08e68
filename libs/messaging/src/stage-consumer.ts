import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { HEADERS, type DeadLetter } from '@brokered-etl/contracts';
import { classify, errorCodeOf, errorMessageOf } from '@brokered-etl/errors';
import { sleep } from '@brokered-etl/lifecycle';
import type { Logger } from '@brokered-etl/observability';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff';
import { deadLetterOf } from './dead-letter.sink';
import { rebalanceErrorOf } from './kafka.errors';
import { leaseMessage, type MessageLease } from './message-lease';
import { headersToList, headersToStrings, type MessageEnvelope } from './message.types';
import { nextRetryDelay, retriesExhausted, retryOptionsOf } from './retry-budget';
import {
  DEFAULT_MAX_BATCH_MS,
  type HandlerContext,
  type MessageHandledEvent,
  type MessageOutcome,
  type Readiness,
  type StageConsumer,
  type StageConsumerOptions,
  type StuckMessage,
} from './stage-consumer.types';

const nextOffset = (offset: string) => (BigInt(offset) + 1n).toString();

interface InFlight {
  topic: string;
  partition: number;
  offset: string;
  startedAt: number;
}

/**
 * The one consumer loop every stage runs: decode → handle → commit, one
 * message at a time per partition. Offsets are committed only after the
 * handler returned, i.e. after its output is staged and produced.
 * Transient and unknown failures retry with backoff within a budget, then the
 * message is dead-lettered as RETRIES_EXHAUSTED; permanent ones are
 * dead-lettered at once; either way the partition moves on. A message revoked
 * by a rebalance, or cut short by shutdown, is left uncommitted for redelivery.
 */
export function createStageConsumer<T>(options: StageConsumerOptions<T>): StageConsumer {
  const log = options.logger.child({ module: 'stage-consumer', stage: options.stage, groupId: options.groupId });
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  const heartbeatInterval = options.heartbeatIntervalMs ?? 3_000;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const retry = retryOptionsOf(options.retry);
  const maxBatchMs = options.maxBatchMs ?? DEFAULT_MAX_BATCH_MS;
  const stuckAfterMs = options.stuckAfterMs ?? retry.budgetMs + 60_000;
  const abort = new AbortController();
  let stopping = false;
  let inGroup = false;
  let started = false;
  let lastHeartbeatAt: number | undefined;
  const readinessStaleMs = options.readinessStaleMs ?? 10_000;
  const counters = { joins: 0, rebalances: 0 };
  // one entry per partition being worked on: what stuck() reads
  const inFlight = new Map<string, InFlight>();

  const consumer: Consumer = options.kafka.consumer({
    groupId: options.groupId,
    sessionTimeout,
    heartbeatInterval,
    rebalanceTimeout: Math.max(60_000, sessionTimeout * 2),
    allowAutoTopicCreation: false,
    // about one chunk per partition per fetch, and room for every partition in one fetch: with 8 MiB a
    // partition and kafkajs' 10 MiB a fetch, one busy topic's partitions filled every fetch and a small
    // run's partitions of another pipeline waited minutes (bench:splits); a bigger message still comes (KIP-74)
    maxBytesPerPartition: 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
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
    // kafkajs has disconnected and will not restart: a process left running would be alive but consume nothing
    if (!payload.restart && !stopping) options.onFatal?.(payload.error);
  });

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
    const lease = leaseMessage(payload, { shutdown: abort.signal, heartbeatIntervalMs: heartbeatInterval, logger: msgLog });
    const context: HandlerContext = { heartbeat: lease.heartbeat, signal: lease.signal, logger: msgLog };
    const firstAttemptAt = performance.now();
    try {
      for (let attempt = 1; ; attempt++) {
        let failure: { error: unknown } | undefined;
        try {
          const value = await options.decode(message.value);
          await options.handle({ ...envelope, value, attempt }, context);
        } catch (error) {
          failure = { error };
        }
        // a revoked message belongs to its next owner, however the handler ended
        if (lease.revoked()) return { outcome: 'abandoned', attempts: attempt };
        if (!failure) return { outcome: 'processed', attempts: attempt };
        // what a handler throws once told to stop says nothing about the message
        if (lease.signal.aborted) return { outcome: 'abandoned', attempts: attempt };
        const { error } = failure;
        const decision = classify(error);
        if (decision === 'crash') {
          msgLog.error('fatal error, stopping', { code: errorCodeOf(error), error: errorMessageOf(error) });
          options.onFatal?.(error);
          return { outcome: 'fatal', attempts: attempt };
        }
        if (decision === 'dead-letter') return { outcome: await deadLetter(envelope, error, attempt, lease, msgLog), attempts: attempt };
        const elapsedMs = performance.now() - firstAttemptAt;
        const wait = nextRetryDelay(attempt, elapsedMs, retry, backoff);
        if (wait === undefined) return { outcome: await deadLetter(envelope, retriesExhausted(error, attempt, elapsedMs), attempt, lease, msgLog), attempts: attempt };
        msgLog.warn('transient failure, retrying', { attempt, retryInMs: wait, code: errorCodeOf(error), error: errorMessageOf(error) });
        if (!(await sleep(wait, lease.signal))) return { outcome: 'abandoned', attempts: attempt };
      }
    } finally {
      lease.release();
    }
  }

  async function deadLetter(envelope: MessageEnvelope, err: unknown, attempts: number, lease: MessageLease, msgLog: Logger): Promise<MessageOutcome> {
    msgLog.warn('dead-lettering message', { code: errorCodeOf(err), error: errorMessageOf(err), attempts });
    const published = await publishWithRetry(deadLetterOf(options.stage, envelope, err, attempts), lease.signal, msgLog);
    return published && !lease.revoked() ? 'dead-lettered' : 'abandoned';
  }

  // never skips a message without its letter: a DLQ that stays away shows in stuck()
  async function publishWithRetry(deadLetter: DeadLetter, signal: AbortSignal, msgLog: Logger): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await options.deadLetters.publish(deadLetter);
        return true;
      } catch (err) {
        if (signal.aborted) return false;
        const wait = backoffDelay(attempt, backoff);
        msgLog.warn('cannot publish dead letter yet, retrying', { attempt, retryInMs: wait, error: errorMessageOf(err) });
        if (!(await sleep(wait, signal))) return false;
      }
    }
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { topic, partition } = payload.batch;
    const batchStartedAt = Date.now();
    for (const [index, message] of payload.batch.messages.entries()) {
      if (!payload.isRunning() || payload.isStale() || stopping) return;
      // the first message always runs, so a batch makes progress; the rest are fetched again from the last resolved offset
      if (index > 0 && Date.now() - batchStartedAt >= maxBatchMs) {
        log.debug('batch time budget spent, yielding', { topic, partition, left: payload.batch.messages.length - index });
        return;
      }
      const key = `${topic}\u0000${partition}`;
      inFlight.set(key, { topic, partition, offset: message.offset, startedAt: Date.now() });
      const startedAt = performance.now();
      let result: { outcome: MessageOutcome; attempts: number };
      try {
        result = await processOne(payload, message);
      } finally {
        inFlight.delete(key);
      }
      const { outcome, attempts } = result;
      report({ topic, partition, offset: message.offset, outcome, attempts, durationMs: performance.now() - startedAt });
      if (outcome !== 'processed' && outcome !== 'dead-lettered') return;
      payload.resolveOffset(message.offset);
      await commit(topic, partition, message.offset);
    }
  }

  async function commit(topic: string, partition: number, offset: string): Promise<void> {
    try {
      await consumer.commitOffsets([{ topic, partition, offset: nextOffset(offset) }]);
    } catch (err) {
      // kafkajs' commit retrier wraps a rebalance answer; its runner rejoins only on the bare one (else it crashes for good)
      throw rebalanceErrorOf(err) ?? err;
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

  function stuck(now = Date.now()): StuckMessage | undefined {
    let oldest: InFlight | undefined;
    for (const entry of inFlight.values()) if (!oldest || entry.startedAt < oldest.startedAt) oldest = entry;
    if (!oldest || now - oldest.startedAt <= stuckAfterMs) return undefined;
    return { topic: oldest.topic, partition: oldest.partition, offset: oldest.offset, sinceMs: now - oldest.startedAt };
  }

  return {
    joined,
    isInGroup: () => inGroup,
    stats: () => ({ ...counters }),
    readiness,
    stuck,
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
