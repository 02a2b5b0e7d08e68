import { KafkaJSConnectionError, KafkaJSLockTimeout, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { EtlError } from '@brokered-etl/errors';
import { producerStateErrorOf, rebalanceErrorOf, sendErrorOf } from './kafka.errors';

// kafkajs' own error table and retrier, so the errors are the ones it really throws
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode(code: number): Error & { type: string; retriable: boolean } };
const createRetry = require('kafkajs/src/retry') as (options: object) => (fn: () => Promise<never>) => Promise<never>;

const CODES = { MESSAGE_TOO_LARGE: 10, RECORD_LIST_TOO_LARGE: 18, NOT_ENOUGH_REPLICAS: 19, TOPIC_AUTHORIZATION_FAILED: 29, INVALID_RECORD: 87, CORRUPT_MESSAGE: 2, UNKNOWN_TOPIC_OR_PARTITION: 3 };
const CONSUMER_CODES = { NOT_COORDINATOR_FOR_GROUP: 16, ILLEGAL_GENERATION: 22, UNKNOWN_MEMBER_ID: 25, REBALANCE_IN_PROGRESS: 27 };

/** What kafkajs' producer rejects with once its retrier gave up (or bailed) on this error. */
async function afterKafkajsRetries(err: Error): Promise<unknown> {
  return createRetry({ retries: 0, initialRetryTime: 1 })(async () => {
    throw err;
  }).catch((e: unknown) => e);
}

const messages = [
  { key: 'k1', value: Buffer.alloc(3000) },
  { key: null, value: Buffer.alloc(1000), headers: { 'etl-run-id': 'r1' } },
];

describe('sendErrorOf', () => {
  it('says which topic and how large when the broker refuses messages as too large: permanent', async () => {
    for (const type of ['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE'] as const) {
      const mapped = sendErrorOf('etl.flights.transformed', messages, await afterKafkajsRetries(createErrorFromCode(CODES[type])));
      expect(mapped).toBeInstanceOf(EtlError);
      expect(mapped).toMatchObject({ code: 'MESSAGE_TOO_LARGE', retriable: false, details: { topic: 'etl.flights.transformed', kafkaError: type, largestBytes: 3002, totalBytes: 4014 } });
      expect((mapped as Error).message).toMatch(/^cannot produce 2 message\(s\) to etl\.flights\.transformed: .*largest message 3002 bytes, 4014 bytes in all/);
    }
  });

  it('calls authorisation, invalid or corrupt records and a topic still unknown after retries rejected: permanent', async () => {
    for (const type of ['TOPIC_AUTHORIZATION_FAILED', 'INVALID_RECORD', 'CORRUPT_MESSAGE', 'UNKNOWN_TOPIC_OR_PARTITION'] as const) {
      const cause = await afterKafkajsRetries(createErrorFromCode(CODES[type]));
      expect(sendErrorOf('t', messages, cause)).toMatchObject({ code: 'BROKER_REJECTED', retriable: false, cause, details: { kafkaError: type } });
    }
    // kafkajs' own validation of what we pass it fails the same way every time
    expect(sendErrorOf('t', messages, new KafkaJSNonRetriableError('Invalid topic'))).toMatchObject({ code: 'BROKER_REJECTED' });
  });

  it('keeps connection trouble and retriable broker answers transient, also when kafkajs wrapped them after retrying', async () => {
    const retriedReplicas = await afterKafkajsRetries(createErrorFromCode(CODES.NOT_ENOUGH_REPLICAS));
    expect(retriedReplicas).toBeInstanceOf(KafkaJSNumberOfRetriesExceeded);
    expect(sendErrorOf('t', messages, retriedReplicas)).toMatchObject({ code: 'BROKER_UNAVAILABLE', retriable: true });
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092', { broker: '127.0.0.1:9092' });
    expect(sendErrorOf('t', messages, await afterKafkajsRetries(refused))).toMatchObject({ code: 'BROKER_UNAVAILABLE' });
    // its typings declare no argument; kafkajs' lock passes the message
    const LockTimeout = KafkaJSLockTimeout as unknown as new (message: string) => Error;
    expect(sendErrorOf('t', messages, new LockTimeout('Timeout while acquiring lock'))).toMatchObject({ code: 'BROKER_UNAVAILABLE' });
  });

  it("keeps an idempotent producer's lost sequence transient (the producer is replaced, the send retried) and names it", async () => {
    for (const [type, code] of [['OUT_OF_ORDER_SEQUENCE_NUMBER', 45], ['UNKNOWN_PRODUCER_ID', 59], ['INVALID_PRODUCER_EPOCH', 47]] as const) {
      const cause = await afterKafkajsRetries(createErrorFromCode(code));
      expect(sendErrorOf('t', messages, cause)).toMatchObject({ code: 'BROKER_UNAVAILABLE', retriable: true, details: { kafkaError: type } });
      expect(producerStateErrorOf(cause)).toBe(type);
    }
    expect(producerStateErrorOf(createErrorFromCode(CODES.NOT_ENOUGH_REPLICAS))).toBeUndefined();
  });

  it('leaves an error that is not kafkajs\' own as it is: unknown to this edge', async () => {
    const bug = new TypeError('value.toString is not a function');
    expect(sendErrorOf('t', messages, bug)).toBe(bug);
    expect(sendErrorOf('t', messages, await afterKafkajsRetries(bug))).toBeInstanceOf(KafkaJSNonRetriableError);
  });
});

describe('rebalanceErrorOf', () => {
  it('finds the broker\'s rebalance-type answer, bare or wrapped by kafkajs\' retrier, and returns it unwrapped', async () => {
    for (const code of Object.values(CONSUMER_CODES)) {
      const bare = createErrorFromCode(code);
      expect(rebalanceErrorOf(bare)).toBe(bare);
      expect(rebalanceErrorOf(await afterKafkajsRetries(bare))).toBe(bare);
    }
  });

  it('ignores everything else', () => {
    expect(rebalanceErrorOf(createErrorFromCode(CODES.NOT_ENOUGH_REPLICAS))).toBeUndefined();
    expect(rebalanceErrorOf(new KafkaJSConnectionError('Connection timeout'))).toBeUndefined();
    expect(rebalanceErrorOf(new Error('REBALANCE_IN_PROGRESS'))).toBeUndefined();
    expect(rebalanceErrorOf(undefined)).toBeUndefined();
  });
});
