import { ConfigResourceTypes } from 'kafkajs';
import { createSilentLogger, type Logger } from '@brokered-etl/observability';
import { integrationEnv, uniqueName } from '@brokered-etl/testing';
import { createKafkaClient, ensureTopics } from './index';
import { withAdmin } from './kafka.client';

/** Topic settings against the real broker (the shared one: nothing here stops it or changes its settings). */
describe('ensureTopics (real Kafka)', () => {
  const env = integrationEnv();
  const kafka = createKafkaClient({ brokers: env.kafkaBrokers, clientId: 'topics-int', logger: createSilentLogger() });

  const describe_ = (topic: string) =>
    withAdmin(kafka, async (admin) => {
      const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas', 'retention.ms'] }] });
      const config = Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
      return { partitions: meta!.partitions.length, replicas: meta!.partitions[0]!.replicas.length, config };
    });

  function recordingLogger(): Logger & { warnings: Array<{ message: string; fields: unknown }> } {
    const warnings: Array<{ message: string; fields: unknown }> = [];
    const logger = createSilentLogger();
    return Object.assign(Object.create(logger) as Logger, { warn: (message: string, fields: unknown) => (warnings.push({ message, fields }), logger), warnings });
  }

  it('creates with the replication factor and min.insync.replicas given, and a second call changes nothing', async () => {
    const topic = uniqueName('it.topics.create');
    const spec = { topic, partitions: 4, replicationFactor: 1, minInsyncReplicas: 1 };
    expect(await ensureTopics(kafka, [spec])).toEqual({ created: [topic], grown: [] });
    expect(await describe_(topic)).toMatchObject({ partitions: 4, replicas: 1, config: { 'min.insync.replicas': '1', 'retention.ms': String(7 * 24 * 3600 * 1000) } });
    expect(await ensureTopics(kafka, [spec])).toEqual({ created: [], grown: [] });
  });

  it('refuses a topic with fewer partitions than configured unless growth is chosen, then grows it with a warning', async () => {
    const topic = uniqueName('it.topics.grow');
    await ensureTopics(kafka, [{ topic, partitions: 2 }]);
    await expect(ensureTopics(kafka, [{ topic, partitions: 5 }])).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/has 2 partitions, fewer than the 5 configured: set KAFKA_TOPIC_PARTITION_GROWTH=grow/) });
    expect((await describe_(topic)).partitions).toBe(2);

    const logger = recordingLogger();
    expect(await ensureTopics(kafka, [{ topic, partitions: 5 }], { partitionGrowth: 'grow', logger })).toEqual({ created: [], grown: [{ topic, from: 2, to: 5 }] });
    expect((await describe_(topic)).partitions).toBe(5);
    expect(logger.warnings).toEqual([{ message: expect.stringMatching(/keys already on it may now map to another partition/), fields: { topic, fromPartitions: 2, toPartitions: 5 } }]);
  });

  it('two instances growing at once both succeed', async () => {
    const topic = uniqueName('it.topics.race');
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const spec = [{ topic, partitions: 3 }];
    const results = await Promise.all([ensureTopics(kafka, spec, { partitionGrowth: 'grow' }), ensureTopics(kafka, spec, { partitionGrowth: 'grow' })]);
    expect(results.flatMap((r) => r.grown).length).toBeGreaterThanOrEqual(1);
    expect((await describe_(topic)).partitions).toBe(3);
  });

  it('says which setting to change when the cluster has fewer brokers than the replication factor, and creates nothing', async () => {
    const topic = uniqueName('it.topics.rf');
    const brokers = await withAdmin(kafka, async (admin) => (await admin.describeCluster()).brokers.length);
    await expect(ensureTopics(kafka, [{ topic, partitions: 3, replicationFactor: brokers + 2, minInsyncReplicas: 2 }], { brokerWaitMs: 500 })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(new RegExp(`needs replication factor ${brokers + 2} but the cluster has ${brokers} live broker\\(s\\): lower KAFKA_TOPIC_REPLICATION_FACTOR`)),
    });
    expect(await withAdmin(kafka, (admin) => admin.listTopics())).not.toContain(topic);
  });

  it("refuses min.insync.replicas above the replicas of a topic made with the broker's default factor", async () => {
    const topic = uniqueName('it.topics.isr');
    const brokers = await withAdmin(kafka, async (admin) => (await admin.describeCluster()).brokers.length);
    await expect(ensureTopics(kafka, [{ topic, partitions: 1, minInsyncReplicas: brokers + 1 }])).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/set KAFKA_TOPIC_REPLICATION_FACTOR/) });
  });
});
