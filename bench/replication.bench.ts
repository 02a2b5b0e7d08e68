/**
 * npm run bench:replication [-- <messages> <KiB>] — what replication costs a
 * producer: the same chunk-sized messages sent with acks=all through the
 * project's idempotent producer to a topic of replication factor 1 (the raw
 * limit: one copy) and of 3 with min.insync.replicas 2, on a private 3-broker
 * KRaft cluster on this host (the fault scenario kill-broker covers a dead broker).
 */
import { randomBytes } from 'node:crypto';
import { createKafkaClient, createMessageProducer, ensureTopics, type MessageProducer } from '@brokered-etl/messaging';
import { createSilentLogger } from '@brokered-etl/observability';
import { startPrivateKafkaCluster } from '@brokered-etl/testing';
import { runBench, table, timed } from './bench.env';

/** Two sends at a time, as a worker with PARTITIONS_CONCURRENTLY=2 makes them. */
async function produce(producer: MessageProducer, topic: string, messages: number, payload: Buffer): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < messages; i = next++) await producer.send(topic, [{ key: `k${i}`, value: payload }]);
  };
  await Promise.all([lane(), lane()]);
}

async function main() {
  const messages = Number(process.argv[2] ?? 200);
  const kib = Number(process.argv[3] ?? 512);
  const payload = randomBytes(kib * 1024);
  const cluster = await startPrivateKafkaCluster(3);
  try {
    const kafka = createKafkaClient({ brokers: cluster.brokers, clientId: 'bench-replication', logger: createSilentLogger() });
    const cases = [
      { label: 'RF 1 (raw limit: one copy)', topic: 'bench.rf1', replicationFactor: 1, minInsyncReplicas: 1 },
      { label: 'RF 3, min.insync.replicas 2', topic: 'bench.rf3', replicationFactor: 3, minInsyncReplicas: 2 },
    ];
    await ensureTopics(kafka, cases.map((c) => ({ topic: c.topic, partitions: 6, replicationFactor: c.replicationFactor, minInsyncReplicas: c.minInsyncReplicas })));
    const producer = createMessageProducer(kafka);
    await producer.connect();
    // warm-up: connections, metadata, producer id, every partition's leader
    for (const c of cases) await produce(producer, c.topic, 12, payload);

    const rows: Array<Array<string | number>> = [];
    const row = (label: string, ms: number) => {
      const mib = (messages * kib) / 1024;
      rows.push([label, messages, kib, (ms / 1000).toFixed(2), (mib / (ms / 1000)).toFixed(1), Math.round((messages * 1000) / ms)]);
    };
    for (const c of cases) row(c.label, (await timed(() => produce(producer, c.topic, messages, payload))).ms);

    await producer.disconnect();

    console.log(
      table(
        `acks=all through createMessageProducer (idempotent, one send at a time), 6 partitions, private 3-broker KRaft cluster on ${cluster.brokers.join(', ')}`,
        ['topic', 'messages', 'KiB each', 'seconds', 'MiB/s', 'messages/s'],
        rows,
      ),
    );
  } finally {
    await cluster.destroy();
  }
}

runBench(main);
