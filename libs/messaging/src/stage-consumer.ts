import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { HEADERS, type DeadLetter } from '@brokered-etl/contracts';
import { classify, errorCodeOf, errorMessageOf } from '@brokered-etl/errors';
import type { Logger } from '@brokered-etl/observability';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import type { DeadLetterSink } from './dead-letter.sink';
import { headersToList, headersToStrings, type InboundMessage } from './message.types';

export interface HandlerContext {
  /** Keeps the group session alive; the runtime already calls it on a timer during work. */
  heartbeat(): Promise<void>;
  /** Aborted when the worker shuts down: pass it to slow calls. */
  signal: AbortSignal;
  logger: Logger;
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
}

export interface StageConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves the first time this member joins its group. */
  joined: Promise<{ memberId: string; groupId: string }>;
  isInGroup(): boolean;
  /** Group membership changes seen by this member: a healthy worker joins once. */
  stats(): { joins: number; rebalances: number };
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
    counters.joins++;
    log.info('joined group', { memberId: payload.memberId, isLeader: payload.isLeader, assignment: payload.memberAssignment });
    markJoined({ memberId: payload.memberId, groupId: payload.groupId });
  });
  consumer.on(consumer.events.REBALANCING, () => {
    inGroup = false;
    counters.rebalances++;
    log.info('group rebalancing');
  });
  consumer.on(consumer.events.STOP, () => (inGroup = false));
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    inGroup = false;
    log.error('consumer crashed', { error: payload.error?.message, restart: payload.restart });
  });

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      abort.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });

  function deadLetterOf(topic: string, partition: number, message: KafkaMessage, err: unknown, attempts: number): DeadLetter {
    const headers = headersToStrings(message.headers);
    const chunkSeq = headers[HEADERS.chunkSeq];
    return {
      id: `${options.stage}:${topic}:${partition}:${message.offset}`,
      runId: headers[HEADERS.runId] ?? null,
      pipeline: headers[HEADERS.pipeline] ?? null,
      stage: options.stage,
      errorCode: errorCodeOf(err),
      errorMessage: errorMessageOf(err),
      attempts,
      failedAt: new Date(),
      topic,
      partition,
      offset: message.offset,
      key: message.key ?? null,
      value: message.value ?? null,
      headers: headersToList(message.headers),
      chunkSeq: chunkSeq === undefined ? null : Number(chunkSeq),
      recordIndex: null,
      record: null,
    };
  }

  /** Returns false when the worker is stopping and the message must stay uncommitted. */
  async function processOne(payload: EachBatchPayload, message: KafkaMessage): Promise<boolean> {
    const { topic, partition } = payload.batch;
    const where = { topic, partition, offset: message.offset };
    let resume: (() => void) | undefined;
    const keepAlive = setInterval(() => {
      payload.heartbeat().catch((err: unknown) => log.warn('heartbeat failed', { ...where, error: errorMessageOf(err) }));
    }, heartbeatInterval);
    const context: HandlerContext = { heartbeat: () => payload.heartbeat(), signal: abort.signal, logger: log };
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const value = await options.decode(message.value);
          await options.handle(
            {
              value,
              topic,
              partition,
              offset: message.offset,
              key: message.key ?? null,
              rawValue: message.value ?? null,
              headers: headersToStrings(message.headers),
              rawHeaders: headersToList(message.headers),
              attempt,
            },
            context,
          );
          return true;
        } catch (err) {
          const decision = classify(err);
          if (decision === 'crash') {
            log.error('fatal error, stopping', { ...where, code: errorCodeOf(err), error: errorMessageOf(err) });
            options.onFatal?.(err);
            return false;
          }
          if (decision === 'dead-letter') {
            log.warn('dead-lettering message', { ...where, code: errorCodeOf(err), error: errorMessageOf(err) });
            return await publishWithRetry(deadLetterOf(topic, partition, message, err, attempt), where);
          }
          if (stopping) return false;
          resume ??= payload.pause();
          const wait = backoffDelay(attempt, backoff);
          log.warn('transient failure, retrying', { ...where, attempt, retryInMs: wait, code: errorCodeOf(err), error: errorMessageOf(err) });
          await sleep(wait);
          if (stopping) return false;
        }
      }
    } finally {
      clearInterval(keepAlive);
      resume?.();
    }
  }

  async function publishWithRetry(deadLetter: DeadLetter, where: object): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await options.deadLetters.publish(deadLetter);
        return true;
      } catch (err) {
        if (stopping) return false;
        const wait = backoffDelay(attempt, backoff);
        log.warn('cannot publish dead letter yet, retrying', { ...where, attempt, retryInMs: wait, error: errorMessageOf(err) });
        await sleep(wait);
      }
    }
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { topic, partition } = payload.batch;
    for (const message of payload.batch.messages) {
      if (!payload.isRunning() || payload.isStale() || stopping) return;
      if (!(await processOne(payload, message))) return;
      payload.resolveOffset(message.offset);
      await consumer.commitOffsets([{ topic, partition, offset: nextOffset(message.offset) }]);
    }
  }

  return {
    joined,
    isInGroup: () => inGroup,
    stats: () => ({ ...counters }),
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topics: options.topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 2,
        eachBatch,
      });
    },
    async stop() {
      stopping = true;
      abort.abort();
      await consumer.disconnect();
      log.info('left group');
    },
  };
}
