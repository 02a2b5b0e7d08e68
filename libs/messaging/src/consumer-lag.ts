import type { Admin, Kafka } from 'kafkajs';
import { withTimeout } from '@brokered-etl/observability';

/** A group's backlog on one partition: log-end offset minus committed offset. */
export interface PartitionLag {
  topic: string;
  partition: number;
  /** "-1" when the group has committed nothing there yet. */
  committed: string;
  low: string;
  high: string;
  lag: number;
}

export interface LagReader {
  /** Rejects after timeoutMs rather than waiting for a broker that does not answer. */
  read(): Promise<PartitionLag[]>;
  close(): Promise<void>;
}

/** Lag from the two offsets; with nothing committed, the whole retained log is pending (groups start from the beginning). */
export function lagOf(committed: string, low: string, high: string): number {
  const end = BigInt(high);
  const from = BigInt(committed) >= 0n ? BigInt(committed) : BigInt(low);
  return Number(end > from ? end - from : 0n);
}

/**
 * Reads a group's lag per partition for scrapes. One admin connection is kept
 * between reads (not one per scrape) and dropped after a failure; a read still
 * running is joined rather than repeated, so scrapes against a dead broker do
 * not pile up connections.
 */
export function createLagReader(kafka: Kafka, options: { groupId: string; topics: string[]; timeoutMs?: number }): LagReader {
  const timeoutMs = options.timeoutMs ?? 2000;
  let admin: Admin | undefined;
  let inflight: Promise<PartitionLag[]> | undefined;
  let closed = false;

  const drop = () => {
    const old = admin;
    admin = undefined;
    void old?.disconnect().catch(() => undefined);
  };

  async function readOnce(): Promise<PartitionLag[]> {
    if (closed) throw new Error('lag reader closed');
    let client = admin;
    if (!client) {
      // kept in `admin` while it connects, so close() can disconnect it too
      client = admin = kafka.admin({ retry: { retries: 1, initialRetryTime: 100 } });
      await client.connect();
    }
    const committed = await client.fetchOffsets({ groupId: options.groupId, topics: options.topics });
    const out: PartitionLag[] = [];
    for (const topic of options.topics) {
      const byPartition = new Map(committed.find((c) => c.topic === topic)?.partitions.map((p) => [p.partition, p.offset]));
      for (const p of await client.fetchTopicOffsets(topic)) {
        const offset = byPartition.get(p.partition) ?? '-1';
        out.push({ topic, partition: p.partition, committed: offset, low: p.low, high: p.high, lag: lagOf(offset, p.low, p.high) });
      }
    }
    return out;
  }

  return {
    read() {
      inflight ??= readOnce()
        .catch((err: unknown) => {
          drop();
          throw err;
        })
        .finally(() => (inflight = undefined));
      return withTimeout(inflight, timeoutMs, `lag of group ${options.groupId}`);
    },
    async close() {
      closed = true;
      const old = admin;
      admin = undefined;
      await old?.disconnect().catch(() => undefined);
    },
  };
}
