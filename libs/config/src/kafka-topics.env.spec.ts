import { baseWorkerEnvSchema, parseEnv } from './env.schema';
import { kafkaTopicSettingsOf } from './kafka-topics.env';

const settingsOf = (env: Record<string, string>) => kafkaTopicSettingsOf(parseEnv(baseWorkerEnvSchema, env));

describe('Kafka topic settings from the env', () => {
  it("defaults to today's partitions, the broker's replication, and refusing to grow", () => {
    expect(settingsOf({})).toEqual({ partitions: { control: 3, data: 6 }, replicationFactor: undefined, minInsyncReplicas: undefined, partitionGrowth: 'refuse' });
  });

  it('takes partitions per kind, replication factor, min.insync.replicas and growth', () => {
    const env = {
      KAFKA_TOPIC_PARTITIONS_CONTROL: '1',
      KAFKA_TOPIC_PARTITIONS_DATA: '24',
      KAFKA_TOPIC_REPLICATION_FACTOR: '3',
      KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '2',
      KAFKA_TOPIC_PARTITION_GROWTH: 'grow',
    };
    expect(settingsOf(env)).toEqual({ partitions: { control: 1, data: 24 }, replicationFactor: 3, minInsyncReplicas: 2, partitionGrowth: 'grow' });
  });

  it('names the variable of a value out of range or of the wrong kind', () => {
    expect(() => settingsOf({ KAFKA_TOPIC_PARTITIONS_DATA: '0' })).toThrow(/KAFKA_TOPIC_PARTITIONS_DATA/);
    expect(() => settingsOf({ KAFKA_TOPIC_REPLICATION_FACTOR: 'three' })).toThrow(/KAFKA_TOPIC_REPLICATION_FACTOR/);
    expect(() => settingsOf({ KAFKA_TOPIC_PARTITION_GROWTH: 'shrink' })).toThrow(/KAFKA_TOPIC_PARTITION_GROWTH/);
  });

  it('refuses more in-sync replicas than copies, which no acks=all write could satisfy', () => {
    expect(() => settingsOf({ KAFKA_TOPIC_REPLICATION_FACTOR: '2', KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '3' })).toThrow(/KAFKA_TOPIC_MIN_INSYNC_REPLICAS: 3 is more than KAFKA_TOPIC_REPLICATION_FACTOR=2/);
  });

  it("leaves min.insync.replicas over an unset factor to the topic check (the broker's default is not known here)", () => {
    expect(settingsOf({ KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '2' }).minInsyncReplicas).toBe(2);
  });
});
