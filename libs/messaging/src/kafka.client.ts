import { Kafka, logLevel, type Admin, type KafkaConfig, type LogEntry } from 'kafkajs';
import type { Logger } from '@brokered-etl/observability';
import { kafkajsSecurityOf, withAuthErrors, type KafkaSecurity } from './kafka-security';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** How long a connection attempt may take; kept short so start-up fails fast and clearly. */
  connectionTimeoutMs?: number;
  retry?: KafkaConfig['retry'];
  /** SASL credentials and TLS; unset: plaintext without authentication. */
  security?: KafkaSecurity;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
  [logLevel.NOTHING]: 'debug',
};

/**
 * kafkajs logs through our winston logger (module "kafkajs"), never to the
 * console. Every admin, producer and consumer made from the client rejects a
 * refused SASL login on connect as CONFIG_INVALID naming the user, so callers
 * fail fast and clearly (kafkajs does not retry it either).
 */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  const log = options.logger.child({ module: 'kafkajs' });
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...kafkajsSecurityOf(options.security ?? {}),
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    retry: options.retry ?? { initialRetryTime: 300, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, label, log: entry }: LogEntry) => {
        const { message, ...fields } = entry;
        log.log(LEVELS[level] ?? 'info', String(message), { kafkajs: label, ...fields });
      },
  });
  const sasl = options.security?.sasl;
  const mapped = <C extends { connect(): Promise<void> }>(client: C): C => withAuthErrors(client, sasl);
  const { admin, producer, consumer } = { admin: kafka.admin.bind(kafka), producer: kafka.producer.bind(kafka), consumer: kafka.consumer.bind(kafka) };
  kafka.admin = (config) => mapped(admin(config));
  kafka.producer = (config) => mapped(producer(config));
  kafka.consumer = (config) => mapped(consumer(config));
  return kafka;
}

/** A short-lived admin connection for one piece of work (ops commands, start-up), always disconnected. */
export async function withAdmin<T>(kafka: Kafka, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

export type { Kafka } from 'kafkajs';
