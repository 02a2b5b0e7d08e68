import { z } from 'zod';
import { DEFAULT_PARTITIONS, type TopicKind } from '@brokered-etl/contracts';
import { ConfigError } from './config.error';

const count = (max: number) => z.coerce.number().int().min(1).max(max);

/**
 * How the workers create their topics. Each environment sets its own: one
 * broker here (replication factor 1), three or more in production (3 and
 * min.insync.replicas 2, so one broker can be lost without losing a write).
 */
export const kafkaTopicEnvFields = {
  /** Partitions of etl.runs.trigger, etl.runs.events, etl.dlq. */
  KAFKA_TOPIC_PARTITIONS_CONTROL: count(10_000).default(DEFAULT_PARTITIONS.control),
  /** Partitions of etl.runs.splits and every <pipeline>.extracted/.transformed: the most instances a stage can keep busy. */
  KAFKA_TOPIC_PARTITIONS_DATA: count(10_000).default(DEFAULT_PARTITIONS.data),
  /** Copies of each partition; unset: the broker's default.replication.factor. */
  KAFKA_TOPIC_REPLICATION_FACTOR: count(32).optional(),
  /** In-sync copies an acks=all write needs; unset: the broker's default (1). */
  KAFKA_TOPIC_MIN_INSYNC_REPLICAS: count(32).optional(),
  /**
   * An existing topic with fewer partitions than configured: "refuse" (start fails, naming the topic)
   * or "grow" (partitions are added; keys already on the topic may then map to another partition).
   */
  KAFKA_TOPIC_PARTITION_GROWTH: z.enum(['refuse', 'grow']).default('refuse'),
};

type KafkaTopicEnv = z.output<z.ZodObject<typeof kafkaTopicEnvFields>>;

/** What the worker passes to the messaging lib's ensureTopics. */
export interface KafkaTopicSettings {
  partitions: Record<TopicKind, number>;
  /** undefined: the broker's default. */
  replicationFactor?: number;
  /** undefined: the broker's default. */
  minInsyncReplicas?: number;
  partitionGrowth: 'refuse' | 'grow';
}

/** The parsed variables as one option, with the check across them; a problem names its variable. */
export function kafkaTopicSettingsOf(env: KafkaTopicEnv): KafkaTopicSettings {
  const rf = env.KAFKA_TOPIC_REPLICATION_FACTOR;
  const minIsr = env.KAFKA_TOPIC_MIN_INSYNC_REPLICAS;
  // more in-sync replicas than copies: every acks=all write would fail with NOT_ENOUGH_REPLICAS
  // (with the factor unset, the broker's default is not known here: ensureTopics checks against the topic's replicas)
  if (rf !== undefined && minIsr !== undefined && minIsr > rf) {
    throw new ConfigError(
      `invalid configuration:\n  KAFKA_TOPIC_MIN_INSYNC_REPLICAS: ${minIsr} is more than KAFKA_TOPIC_REPLICATION_FACTOR=${rf}; acks=all writes would never be acknowledged`,
    );
  }
  return {
    partitions: { control: env.KAFKA_TOPIC_PARTITIONS_CONTROL, data: env.KAFKA_TOPIC_PARTITIONS_DATA },
    replicationFactor: rf,
    minInsyncReplicas: minIsr,
    partitionGrowth: env.KAFKA_TOPIC_PARTITION_GROWTH,
  };
}
