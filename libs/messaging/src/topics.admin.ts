import { ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';
import { EtlError } from '@brokered-etl/errors';
import type { Logger } from '@brokered-etl/observability';
import { withAdmin } from './kafka.client';
import { checkCreated, planTopics, type ExistingTopic, type PartitionGrowth, type TopicSpec } from './topic-plan';

export type { TopicSpec, PartitionGrowth } from './topic-plan';

export interface EnsureTopicsOptions {
  /** An existing topic with fewer partitions than its spec: refused (default) or grown. */
  partitionGrowth?: PartitionGrowth;
  /** Where growth and settings Kafka will not change by itself are reported. */
  logger?: Logger;
  /**
   * How long too few live brokers for a new topic's replication factor are
   * asked again before the topic is refused (default 10 s): a broker lists a
   * peer only once it has replayed the peer's registration, so a cluster that
   * is just starting answers low for a moment.
   */
  brokerWaitMs?: number;
}

export interface TopicsEnsured {
  created: string[];
  grown: Array<{ topic: string; from: number; to: number }>;
}

const WEEK_MS = 7 * 24 * 3600 * 1000;

/**
 * Creates the topics that are missing and checks the ones that exist against
 * their specs. Safe to call from every instance at once: a lost creation or
 * growth race is accepted when the winner left the topic as specified. Throws
 * CONFIG_INVALID when the cluster cannot hold the specs (too few brokers for
 * the replication factor, fewer partitions than configured and growth refused).
 */
export function ensureTopics(kafka: Kafka, specs: TopicSpec[], options: EnsureTopicsOptions = {}): Promise<TopicsEnsured> {
  return withAdmin(kafka, async (admin) => {
    const before = await describeTopics(admin, specs);
    // brokers matter only for creation; an existing topic keeps its replicas whatever is up now
    const toCreate = specs.filter((s) => !before.has(s.topic) && s.replicationFactor !== undefined);
    const liveBrokers = toCreate.length ? await brokersFor(admin, Math.max(...toCreate.map((s) => s.replicationFactor ?? 1)), options.brokerWaitMs ?? 10_000) : Infinity;
    const plan = planTopics(specs, before, liveBrokers, options.partitionGrowth ?? 'refuse');
    for (const warning of plan.warnings) options.logger?.warn('topic differs from its settings', { reason: warning });
    if (plan.create.length) await createTopics(admin, plan.create);
    if (plan.create.some((s) => s.minInsyncReplicas !== undefined && s.replicationFactor === undefined)) checkCreated(plan.create, await describeTopics(admin, plan.create));
    for (const growth of plan.grow) {
      await growTopic(admin, growth.topic, growth.to);
      options.logger?.warn('topic grown: keys already on it may now map to another partition, so their order across the change is not kept', {
        topic: growth.topic,
        fromPartitions: growth.from,
        toPartitions: growth.to,
      });
    }
    return { created: plan.create.map((s) => s.topic), grown: plan.grow };
  });
}

/** Partitions, replicas and min.insync.replicas of the specs' topics that exist. */
async function describeTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<Map<string, ExistingTopic>> {
  const listed = new Set(await admin.listTopics());
  const names = specs.map((s) => s.topic).filter((t) => listed.has(t));
  const found = new Map<string, ExistingTopic>();
  if (!names.length) return found;
  const { topics } = await admin.fetchTopicMetadata({ topics: names });
  for (const t of topics) found.set(t.name, { partitions: t.partitions.length, replicas: t.partitions[0]?.replicas.length ?? 0 });
  // min.insync.replicas only where a spec sets it: one request for all of them
  const withIsr = specs.filter((s) => s.minInsyncReplicas !== undefined && found.has(s.topic)).map((s) => s.topic);
  if (withIsr.length) {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: withIsr.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['min.insync.replicas'] })),
    });
    for (const r of resources) {
      const value = r.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue;
      const topic = found.get(r.resourceName);
      if (topic && value !== undefined) topic.minInsyncReplicas = Number(value);
    }
  }
  return found;
}

async function createTopics(admin: Admin, specs: TopicSpec[]): Promise<void> {
  try {
    await admin.createTopics({
      // kafkajs' wait asks one broker and fails on UNKNOWN_TOPIC_OR_PARTITION while the new metadata reaches the others
      waitForLeaders: false,
      topics: specs.map((s) => ({
        topic: s.topic,
        numPartitions: s.partitions,
        replicationFactor: s.replicationFactor ?? -1, // -1: the broker's default.replication.factor
        configEntries: [
          { name: 'retention.ms', value: String(s.retentionMs ?? WEEK_MS) },
          { name: 'max.message.bytes', value: String(4 * 1024 * 1024) },
          ...(s.minInsyncReplicas === undefined ? [] : [{ name: 'min.insync.replicas', value: String(s.minInsyncReplicas) }]),
        ],
      })),
    });
  } catch (err) {
    // two workers starting together race to create; the loser finds the topics there
    const now = new Set(await admin.listTopics());
    if (specs.every((s) => now.has(s.topic))) return awaitLeaders(admin, specs.map((s) => s.topic));
    // the broker's own check (e.g. a broker went away since describeCluster, or its default factor is too high)
    if (typesIn(err).includes('INVALID_REPLICATION_FACTOR')) {
      throw new EtlError('CONFIG_INVALID', `cannot create ${specs.map((s) => s.topic).join(', ')}: the cluster has too few live brokers for the replication factor; lower KAFKA_TOPIC_REPLICATION_FACTOR or start more brokers`, { cause: err });
    }
    throw err;
  }
  await awaitLeaders(admin, specs.map((s) => s.topic));
}

/** Until every partition of the topics has a leader (bounded): producers and consumers can use them at once. */
async function awaitLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      if (found.length === topics.length && found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      // a broker that has not seen the new topics yet answers UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new EtlError('BROKER_UNAVAILABLE', `topics ${topics.join(', ')} have no leader for every partition after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function growTopic(admin: Admin, topic: string, count: number): Promise<void> {
  try {
    await admin.createPartitions({ topicPartitions: [{ topic, count }] });
  } catch (err) {
    // another instance grew it first: fine when it now has at least as many
    const [now] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    if ((now?.partitions.length ?? 0) >= count) return;
    throw err;
  }
}

/** Broker error types in a kafkajs error, its aggregated errors and causes. */
function typesIn(err: unknown): string[] {
  const types: string[] = [];
  const visit = (e: unknown, depth: number) => {
    if (!(e instanceof Error) || depth > 6) return;
    const fields = e as Error & { type?: unknown; errors?: unknown; cause?: unknown };
    if (typeof fields.type === 'string') types.push(fields.type);
    if (Array.isArray(fields.errors)) fields.errors.forEach((inner) => visit(inner, depth + 1));
    visit(fields.cause, depth + 1);
  };
  visit(err, 0);
  return types;
}

/** Live brokers, asked again until `wanted` are listed or `waitMs` has passed; the last count either way. */
async function brokersFor(admin: Admin, wanted: number, waitMs: number): Promise<number> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const live = (await admin.describeCluster()).brokers.length;
    if (live >= wanted || Date.now() >= deadline) return live;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
