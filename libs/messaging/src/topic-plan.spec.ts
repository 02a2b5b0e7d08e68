import { EtlError } from '@brokered-etl/errors';
import { checkCreated, planTopics, type ExistingTopic, type TopicSpec } from './topic-plan';

const spec = (topic: string, partitions: number, more: Partial<TopicSpec> = {}): TopicSpec => ({ topic, partitions, ...more });
const cluster = (entries: Record<string, ExistingTopic>) => new Map(Object.entries(entries));

function configError(work: () => unknown): EtlError {
  try {
    work();
  } catch (err) {
    if (err instanceof EtlError && err.code === 'CONFIG_INVALID') return err;
    throw err;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('planTopics', () => {
  it('creates what is missing and leaves what matches alone (idempotent)', () => {
    const plan = planTopics([spec('a', 3), spec('b', 6)], cluster({ a: { partitions: 3, replicas: 1 } }), 1, 'refuse');
    expect(plan).toEqual({ create: [spec('b', 6)], grow: [], warnings: [] });
    expect(planTopics([spec('a', 3)], cluster({ a: { partitions: 3, replicas: 1 } }), 1, 'refuse')).toEqual({ create: [], grow: [], warnings: [] });
  });

  it('refuses a topic with fewer partitions than configured by default, naming the setting', () => {
    const err = configError(() => planTopics([spec('data', 12)], cluster({ data: { partitions: 6, replicas: 1 } }), 1, 'refuse'));
    expect(err.message).toMatch(/topic data has 6 partitions, fewer than the 12 configured: set KAFKA_TOPIC_PARTITION_GROWTH=grow/);
  });

  it('grows it when growth is chosen', () => {
    const plan = planTopics([spec('data', 12)], cluster({ data: { partitions: 6, replicas: 1 } }), 1, 'grow');
    expect(plan.grow).toEqual([{ topic: 'data', from: 6, to: 12 }]);
    expect(plan.create).toEqual([]);
  });

  it('keeps a topic with more partitions than configured (Kafka cannot remove partitions)', () => {
    expect(planTopics([spec('data', 3)], cluster({ data: { partitions: 6, replicas: 1 } }), 1, 'refuse')).toEqual({ create: [], grow: [], warnings: [] });
  });

  it('refuses to create with a replication factor above the live brokers, naming the setting', () => {
    const err = configError(() => planTopics([spec('t', 3, { replicationFactor: 3, minInsyncReplicas: 2 })], cluster({}), 1, 'refuse'));
    expect(err.message).toMatch(/topic t needs replication factor 3 but the cluster has 1 live broker\(s\): lower KAFKA_TOPIC_REPLICATION_FACTOR/);
  });

  it('does not count brokers for a topic that already exists (one broker down at a restart is not a config error)', () => {
    const plan = planTopics([spec('t', 3, { replicationFactor: 3 })], cluster({ t: { partitions: 3, replicas: 3 } }), 2, 'refuse');
    expect(plan).toEqual({ create: [], grow: [], warnings: [] });
  });

  it('warns about a replication factor or min.insync.replicas an existing topic does not have', () => {
    const plan = planTopics([spec('t', 3, { replicationFactor: 3, minInsyncReplicas: 1 })], cluster({ t: { partitions: 3, replicas: 1, minInsyncReplicas: 1 } }), 3, 'refuse');
    expect(plan.warnings).toEqual([expect.stringMatching(/topic t has replication factor 1, not the 3 configured \(KAFKA_TOPIC_REPLICATION_FACTOR\)/)]);
    const isr = planTopics([spec('t', 3, { minInsyncReplicas: 2 })], cluster({ t: { partitions: 3, replicas: 3, minInsyncReplicas: 1 } }), 3, 'refuse');
    expect(isr.warnings).toEqual([expect.stringMatching(/min.insync.replicas 1, not the 2 configured/)]);
  });

  it('refuses min.insync.replicas above the replicas an existing topic has', () => {
    const err = configError(() => planTopics([spec('t', 3, { minInsyncReplicas: 2 })], cluster({ t: { partitions: 3, replicas: 1 } }), 3, 'refuse'));
    expect(err.message).toMatch(/topic t has 1 replica\(s\), fewer than KAFKA_TOPIC_MIN_INSYNC_REPLICAS=2/);
  });

  it('reports every problem at once', () => {
    const err = configError(() => planTopics([spec('a', 6), spec('b', 3, { replicationFactor: 2 })], cluster({ a: { partitions: 3, replicas: 1 } }), 1, 'refuse'));
    expect(err.details?.['problems']).toHaveLength(2);
  });
});

describe('checkCreated', () => {
  it("refuses a topic created with the broker's default factor below min.insync.replicas", () => {
    expect(() => checkCreated([spec('t', 3, { minInsyncReplicas: 2 })], cluster({ t: { partitions: 3, replicas: 1 } }))).toThrow(/set KAFKA_TOPIC_REPLICATION_FACTOR/);
    expect(() => checkCreated([spec('t', 3, { minInsyncReplicas: 2 })], cluster({ t: { partitions: 3, replicas: 3 } }))).not.toThrow();
  });
});
