import { EtlError } from '@brokered-etl/errors';

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** Retention; data topics keep a week so a replay has something to read. */
  retentionMs?: number;
  /** Copies of each partition; undefined: the broker's default.replication.factor. */
  replicationFactor?: number;
  /** In-sync copies an acks=all write needs; undefined: the broker's default. */
  minInsyncReplicas?: number;
}

/** What to do with an existing topic that has fewer partitions than its spec. */
export type PartitionGrowth = 'refuse' | 'grow';

/** An existing topic as the cluster describes it. */
export interface ExistingTopic {
  partitions: number;
  /** Replicas of its first partition (Kafka gives every partition of a topic the same count). */
  replicas: number;
  /** Its min.insync.replicas, when read. */
  minInsyncReplicas?: number;
}

export interface TopicPlan {
  create: TopicSpec[];
  grow: Array<{ topic: string; from: number; to: number }>;
  /** Differences Kafka will not fix by itself; the start goes on. */
  warnings: string[];
}

/**
 * Decides what ensureTopics does, from the specs and what the cluster holds:
 * no I/O, so every rule is tested without a broker. Throws CONFIG_INVALID
 * (the worker stops at start-up) when the cluster cannot hold the specs as
 * configured; each message names the setting to change.
 */
export function planTopics(specs: readonly TopicSpec[], existing: ReadonlyMap<string, ExistingTopic>, liveBrokers: number, growth: PartitionGrowth): TopicPlan {
  const plan: TopicPlan = { create: [], grow: [], warnings: [] };
  const problems: string[] = [];
  for (const spec of specs) {
    const topic = existing.get(spec.topic);
    if (!topic) {
      if (spec.replicationFactor !== undefined && spec.replicationFactor > liveBrokers) {
        problems.push(
          `topic ${spec.topic} needs replication factor ${spec.replicationFactor} but the cluster has ${liveBrokers} live broker(s): lower KAFKA_TOPIC_REPLICATION_FACTOR (and KAFKA_TOPIC_MIN_INSYNC_REPLICAS) or start more brokers`,
        );
      } else {
        plan.create.push(spec);
      }
      continue;
    }
    if (topic.partitions < spec.partitions) {
      if (growth === 'grow') plan.grow.push({ topic: spec.topic, from: topic.partitions, to: spec.partitions });
      else
        problems.push(
          `topic ${spec.topic} has ${topic.partitions} partitions, fewer than the ${spec.partitions} configured: set KAFKA_TOPIC_PARTITION_GROWTH=grow to add them (keys already on the topic may then map to another partition) or configure ${topic.partitions}`,
        );
    }
    if (spec.replicationFactor !== undefined && topic.replicas !== spec.replicationFactor) {
      plan.warnings.push(
        `topic ${spec.topic} has replication factor ${topic.replicas}, not the ${spec.replicationFactor} configured (KAFKA_TOPIC_REPLICATION_FACTOR): Kafka changes it only by a partition reassignment (kafka-reassign-partitions.sh)`,
      );
    }
    if (spec.minInsyncReplicas !== undefined && topic.minInsyncReplicas !== undefined && topic.minInsyncReplicas !== spec.minInsyncReplicas) {
      plan.warnings.push(
        `topic ${spec.topic} has min.insync.replicas ${topic.minInsyncReplicas}, not the ${spec.minInsyncReplicas} configured (KAFKA_TOPIC_MIN_INSYNC_REPLICAS): change it with kafka-configs.sh --alter --add-config min.insync.replicas=${spec.minInsyncReplicas}`,
      );
    }
    if (spec.minInsyncReplicas !== undefined && spec.minInsyncReplicas > topic.replicas) {
      problems.push(
        `topic ${spec.topic} has ${topic.replicas} replica(s), fewer than KAFKA_TOPIC_MIN_INSYNC_REPLICAS=${spec.minInsyncReplicas}: no acks=all write to it could succeed; lower the setting or raise the topic's replication factor`,
      );
    }
  }
  if (problems.length) throw new EtlError('CONFIG_INVALID', problems.join('; '), { details: { problems } });
  return plan;
}

/**
 * A topic created with the broker's default replication factor (spec unset)
 * and a min.insync.replicas above it: found only once it exists.
 */
export function checkCreated(specs: readonly TopicSpec[], created: ReadonlyMap<string, ExistingTopic>): void {
  const problems = specs
    .filter((s) => s.minInsyncReplicas !== undefined && created.has(s.topic) && s.minInsyncReplicas > created.get(s.topic)!.replicas)
    .map(
      (s) =>
        `topic ${s.topic} was created with the broker's default replication factor ${created.get(s.topic)!.replicas}, fewer than KAFKA_TOPIC_MIN_INSYNC_REPLICAS=${s.minInsyncReplicas}: set KAFKA_TOPIC_REPLICATION_FACTOR`,
    );
  if (problems.length) throw new EtlError('CONFIG_INVALID', problems.join('; '), { details: { problems } });
}
