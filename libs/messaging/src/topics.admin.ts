import type { Kafka } from 'kafkajs';
import { withAdmin } from './kafka.client';

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** Retention; data topics keep a week so a replay has something to read. */
  retentionMs?: number;
}

/** Creates the topics that are missing; existing ones are left as they are. Safe to call from every instance. */
export function ensureTopics(kafka: Kafka, specs: TopicSpec[]): Promise<string[]> {
  return withAdmin(kafka, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length === 0) return [];
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.partitions,
          replicationFactor: -1, // the broker's default: 1 here, 3 on a real cluster
          configEntries: [
            { name: 'retention.ms', value: String(s.retentionMs ?? 7 * 24 * 3600 * 1000) },
            { name: 'max.message.bytes', value: String(4 * 1024 * 1024) },
          ],
        })),
      });
    } catch (err) {
      // two workers starting together race to create; the loser finds the topics there
      const now = new Set(await admin.listTopics());
      if (!missing.every((s) => now.has(s.topic))) throw err;
    }
    return missing.map((s) => s.topic);
  });
}
