import { KafkaJSSASLAuthenticationError, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { EtlError } from '@brokered-etl/errors';

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface KafkaSasl {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

/** TLS to the brokers: true trusts the system CAs; PEM contents (not paths: files are read at the app edge) add a CA or a client certificate. */
export type KafkaTls = boolean | { ca?: string; cert?: string; key?: string };

export interface KafkaSecurity {
  sasl?: KafkaSasl;
  tls?: KafkaTls;
}

/** Our options as kafkajs' `ssl` and `sasl` fields. */
export function kafkajsSecurityOf(security: KafkaSecurity): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const { sasl, tls } = security;
  const ssl = tls === undefined || tls === false ? undefined : tls === true ? true : { ca: tls.ca ? [tls.ca] : undefined, cert: tls.cert, key: tls.key };
  return { ssl, sasl: sasl ? ({ mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as SASLOptions) : undefined };
}

interface Chained {
  cause?: unknown;
  type?: unknown;
}

function refusedCredentials(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = (e as Chained).cause, depth++) {
    if (e instanceof KafkaJSSASLAuthenticationError || e.name === 'KafkaJSSASLAuthenticationError' || (e as Chained).type === 'SASL_AUTHENTICATION_FAILED') return true;
  }
  return false;
}

/**
 * The broker refusing our SASL credentials, as a permanent CONFIG_INVALID that
 * names the user and mechanism (never the password): retrying cannot help, the
 * process must stop and be reconfigured. Anything else is returned as it is.
 */
export function kafkaAuthErrorOf(err: unknown, sasl: KafkaSasl | undefined | 'unknown'): unknown {
  if (!refusedCredentials(err)) return err;
  const who =
    sasl === 'unknown'
      ? 'this client'
      : sasl
        ? `user ${sasl.username} (mechanism ${sasl.mechanism})`
        : 'this client (no SASL configured: set KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD)';
  if (sasl === 'unknown') sasl = undefined;
  return new EtlError('CONFIG_INVALID', `Kafka refused the SASL credentials for ${who}`, {
    cause: err,
    details: { kafkaError: 'SASL_AUTHENTICATION_FAILED', username: sasl?.username, mechanism: sasl?.mechanism },
  });
}

/** The client with its connect() rejecting a refused login as kafkaAuthErrorOf says. */
export function withAuthErrors<C extends { connect(): Promise<void> }>(client: C, sasl: KafkaSasl | undefined): C {
  const connect = client.connect.bind(client);
  client.connect = () => connect().catch((err: unknown) => Promise.reject(kafkaAuthErrorOf(err, sasl)));
  return client;
}
