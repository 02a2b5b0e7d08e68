import { KafkaJSError, KafkaJSTimeout } from 'kafkajs';
import { EtlError } from '@brokered-etl/errors';
import { kafkaAuthErrorOf } from './kafka-security';

/** What kafkajs errors carry: protocol errors the broker's `type`, every KafkaJSError `retriable`, wrappers their `cause`. */
interface KafkaErrorFields {
  type?: unknown;
  retriable?: unknown;
  cause?: unknown;
}

/**
 * An error and the errors it wraps, outermost first. kafkajs wraps the broker's
 * answer once it gave up retrying (KafkaJSNumberOfRetriesExceeded, or
 * KafkaJSNonRetriableError around a non-retriable one), so the reason is inside.
 */
function chainOf(err: unknown): Array<Error & KafkaErrorFields> {
  const chain: Array<Error & KafkaErrorFields> = [];
  for (let e: unknown = err; e instanceof Error && chain.length < 8 && !chain.includes(e); e = (e as KafkaErrorFields).cause) chain.push(e);
  return chain;
}

/** The broker's error type (kafkajs' KafkaJSProtocolError.type) anywhere in the chain. */
function protocolErrorOf(err: unknown): (Error & { type: string; retriable?: unknown }) | undefined {
  return chainOf(err).find((e): e is Error & { type: string } => typeof e.type === 'string');
}

// Kafka's NOT_COORDINATOR is NOT_COORDINATOR_FOR_GROUP in kafkajs (src/protocol/error.js)
const REBALANCE_TYPES: ReadonlySet<string> = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'NOT_COORDINATOR_FOR_GROUP']);

/**
 * The broker's rebalance-type answer inside err, if any: the group moved on
 * without this member's generation, so what it holds is revoked. Returned
 * unwrapped because kafkajs' runner recognises only the bare protocol error
 * (runner.js: isRebalancing(e), e.type === 'UNKNOWN_MEMBER_ID') to rejoin; the
 * wrapped one crashes the consumer with restart: false.
 */
export function rebalanceErrorOf(err: unknown): Error | undefined {
  const protocol = protocolErrorOf(err);
  return protocol && REBALANCE_TYPES.has(protocol.type) ? protocol : undefined;
}

const TOO_LARGE: ReadonlySet<string> = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

// the same request gets the same answer; UNKNOWN_TOPIC_OR_PARTITION comes here only after kafkajs' own retries,
// and every topic is created at start-up, so it means the topic is gone
const REJECTED: ReadonlySet<string> = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'SASL_AUTHENTICATION_FAILED',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
  'INVALID_TOPIC_EXCEPTION',
  'INVALID_REQUIRED_ACKS',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'UNSUPPORTED_COMPRESSION_TYPE',
  'POLICY_VIOLATION',
  'UNKNOWN_TOPIC_OR_PARTITION',
]);

/**
 * The broker lost track of this idempotent producer's sequence (a partition's
 * leader moved to a replica without its state, or kafkajs reused a sequence
 * after a failed request): kafkajs never re-initialises the producer id, so
 * the same producer fails the same way forever. A fresh producer fixes it:
 * transient for the caller, once the producer was replaced.
 */
const PRODUCER_STATE: ReadonlySet<string> = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'DUPLICATE_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING']);

/** The broker's producer-state error type inside err, if any: the producer must be replaced before the next send. */
export function producerStateErrorOf(err: unknown): string | undefined {
  const protocol = protocolErrorOf(err);
  return protocol && PRODUCER_STATE.has(protocol.type) ? protocol.type : undefined;
}

type Sized = { key?: Buffer | string | null; value: Buffer | string | null; headers?: Record<string, Buffer | string | undefined> };

const bytesOf = (v: Buffer | string | null | undefined): number => (v == null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);
const sizeOf = (m: Sized): number => bytesOf(m.key) + bytesOf(m.value) + Object.entries(m.headers ?? {}).reduce((n, [k, v]) => n + bytesOf(k) + bytesOf(v), 0);

/**
 * A failed send as an EtlError by what kafkajs says about it, never by its text:
 * too large and rejected are permanent (the same bytes get the same answer),
 * connection trouble and retriable broker answers are transient. An error that
 * is not kafkajs' own (a bug, a TypeError) is returned as it is: unknown, it
 * gets the runtime's bounded retries.
 */
export function sendErrorOf(topic: string, messages: Sized[], cause: unknown): unknown {
  const what = `cannot produce ${messages.length} message(s) to ${topic}`;
  // refused credentials (a reconnect after a password rotation): the process is misconfigured, not the message
  const refused = kafkaAuthErrorOf(cause, 'unknown');
  if (refused !== cause) return refused;
  const protocol = protocolErrorOf(cause);
  const reason = cause instanceof Error ? cause.message : String(cause);
  if (protocol && TOO_LARGE.has(protocol.type)) {
    const sizes = messages.map(sizeOf);
    const largestBytes = Math.max(0, ...sizes);
    const totalBytes = sizes.reduce((a, b) => a + b, 0);
    return new EtlError('MESSAGE_TOO_LARGE', `${what}: the broker refused them as too large (${protocol.type}; largest message ${largestBytes} bytes, ${totalBytes} bytes in all)`, {
      cause,
      details: { topic, kafkaError: protocol.type, largestBytes, totalBytes },
    });
  }
  if (protocol) {
    const transient = PRODUCER_STATE.has(protocol.type) || (protocol.retriable !== false && !REJECTED.has(protocol.type));
    return new EtlError(transient ? 'BROKER_UNAVAILABLE' : 'BROKER_REJECTED', `${what}: ${protocol.type}: ${reason}`, { cause, details: { topic, kafkaError: protocol.type } });
  }
  const root = chainOf(cause).at(-1);
  if (!(root instanceof KafkaJSError)) return cause;
  // a lock or wait timeout is declared non-retriable by kafkajs, yet it only says the broker was slow
  const transient = root.retriable || root instanceof KafkaJSTimeout;
  return new EtlError(transient ? 'BROKER_UNAVAILABLE' : 'BROKER_REJECTED', `${what}: ${reason}`, { cause, details: { topic, kafkaError: root.name } });
}
