import type { Kafka } from 'kafkajs';
import { withAdmin } from './kafka.client';

export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

export interface PartitionRange {
  topic: string;
  partition: number;
  low: string;
  high: string;
}

/** Committed offsets of a group; "-1" where it has none. */
export function readGroupOffsets(kafka: Kafka, groupId: string, topics: string[]): Promise<PartitionOffset[]> {
  return withAdmin(kafka, async (admin) => {
    const result = await admin.fetchOffsets({ groupId, topics });
    return result.flatMap(({ topic, partitions }) => partitions.map((p) => ({ topic, partition: p.partition, offset: p.offset })));
  });
}

/** Low and high watermarks of every partition of the topics. */
export function readTopicRanges(kafka: Kafka, topics: string[]): Promise<PartitionRange[]> {
  return withAdmin(kafka, async (admin) => {
    const out: PartitionRange[] = [];
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) out.push({ topic, partition: p.partition, low: p.low, high: p.high });
    }
    return out;
  });
}

/** For each partition, the first offset at or after the timestamp (the high watermark when none). */
export function offsetsAtTime(kafka: Kafka, topics: string[], timestampMs: number): Promise<PartitionOffset[]> {
  return withAdmin(kafka, async (admin) => {
    const out: PartitionOffset[] = [];
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsetsByTimestamp(topic, timestampMs)) out.push({ topic, partition: p.partition, offset: p.offset });
    }
    return out;
  });
}

/** Moves a group's committed offsets; Kafka refuses while the group has members. */
export function writeGroupOffsets(kafka: Kafka, groupId: string, offsets: PartitionOffset[]): Promise<void> {
  return withAdmin(kafka, async (admin) => {
    const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partition: o.partition, offset: o.offset }]);
    for (const [topic, partitions] of byTopic) await admin.setOffsets({ groupId, topic, partitions });
  });
}
