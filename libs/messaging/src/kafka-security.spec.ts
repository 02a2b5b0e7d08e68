import * as kafkajs from 'kafkajs';
import { EtlError, classify } from '@brokered-etl/errors';
import { createSilentLogger } from '@brokered-etl/observability';
import { createKafkaClient } from './kafka.client';
import { kafkaAuthErrorOf, kafkajsSecurityOf, withAuthErrors } from './kafka-security';
import { sendErrorOf } from './kafka.errors';

// kafkajs' typings declare its error constructors without arguments; these are the real ones
const KafkaJSSASLAuthenticationError = kafkajs.KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;
const KafkaJSNonRetriableError = kafkajs.KafkaJSNonRetriableError as unknown as new (e: Error, options: { cause: Error }) => Error;

const sasl = { mechanism: 'scram-sha-256', username: 'etl', password: 's3cret-pw' } as const;

describe('kafkaAuthErrorOf', () => {
  it('turns a refused SASL login into a permanent CONFIG_INVALID naming the user and mechanism, never the password', () => {
    const root = new KafkaJSSASLAuthenticationError('SASL SCRAM SHA256 authentication failed: Invalid username or password');
    // how kafkajs' retrier hands a non-retriable error back (retry/index.js)
    const refused = new KafkaJSNonRetriableError(root, { cause: root });
    const mapped = kafkaAuthErrorOf(refused, sasl);
    expect(mapped).toBeInstanceOf(EtlError);
    expect(mapped).toMatchObject({ code: 'CONFIG_INVALID', retriable: false, details: { username: 'etl', mechanism: 'scram-sha-256' } });
    expect((mapped as Error).message).toBe('Kafka refused the SASL credentials for user etl (mechanism scram-sha-256)');
    expect(JSON.stringify({ m: (mapped as Error).message, d: (mapped as EtlError).details })).not.toContain('s3cret-pw');
    expect(classify(mapped)).toBe('crash');
  });

  it('leaves every other error as it is', () => {
    const other = new Error('ECONNREFUSED');
    expect(kafkaAuthErrorOf(other, sasl)).toBe(other);
  });

  it('is what a send fails with when the broker refuses the login on reconnect', () => {
    const mapped = sendErrorOf('t', [{ key: null, value: Buffer.from('x') }], new KafkaJSSASLAuthenticationError('nope'));
    expect(mapped).toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('kafkajsSecurityOf', () => {
  it('is plaintext without authentication by default', () => {
    expect(kafkajsSecurityOf({})).toEqual({ ssl: undefined, sasl: undefined });
  });

  it('passes the mechanism, credentials and PEM contents through', () => {
    expect(kafkajsSecurityOf({ sasl, tls: { ca: 'CA', cert: 'CERT', key: 'KEY' } })).toEqual({
      sasl: { mechanism: 'scram-sha-256', username: 'etl', password: 's3cret-pw' },
      ssl: { ca: ['CA'], cert: 'CERT', key: 'KEY' },
    });
    expect(kafkajsSecurityOf({ tls: true }).ssl).toBe(true);
  });
});

describe('withAuthErrors', () => {
  it('rejects a refused login on connect with the clear error', async () => {
    const client = withAuthErrors({ connect: () => Promise.reject(new KafkaJSSASLAuthenticationError('refused')) }, sasl);
    await expect(client.connect()).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('user etl') });
  });
});

describe('createKafkaClient', () => {
  it('builds admins, producers and consumers with SASL and TLS set', () => {
    const kafka = createKafkaClient({ brokers: ['127.0.0.1:1'], clientId: 't', logger: createSilentLogger(), security: { sasl, tls: true } });
    for (const client of [kafka.admin(), kafka.producer(), kafka.consumer({ groupId: 'g' })]) expect(typeof client.connect).toBe('function');
  });
});
