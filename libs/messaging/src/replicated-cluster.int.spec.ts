import { createRootLogger } from '@brokered-etl/observability';
import { startPrivateKafkaCluster, uniqueName, waitFor, type PrivateKafkaCluster } from '@brokered-etl/testing';
import { createKafkaClient, createMessageProducer, ensureTopics } from './index';
import { withAdmin } from './kafka.client';

/**
 * Replication factor 3, min.insync.replicas 2, the idempotent acks=all
 * producer: a broker SIGKILLed while messages are produced and consumed, then
 * restarted, loses nothing, and repeats only what the caller itself sent
 * twice. A private cluster: the shared broker is never touched.
 */
describe('a replicated topic on a private 3-broker cluster (real Kafka)', () => {
  let cluster: PrivateKafkaCluster;
  beforeAll(async () => {
    cluster = await startPrivateKafkaCluster(3);
  }, 180_000);
  afterAll(() => cluster?.destroy());

  it('keeps every acknowledged message through a broker kill and restart; only a resent message repeats', async () => {
    // errors only: what a failover looks like to kafkajs is worth seeing when this fails
    const kafka = createKafkaClient({ brokers: cluster.brokers, clientId: 'replicated-int', logger: createRootLogger({ service: 'replicated-int', level: 'error', format: 'pretty' }) });
    const topic = uniqueName('it.replicated');
    await ensureTopics(kafka, [{ topic, partitions: 3, replicationFactor: 3, minInsyncReplicas: 2 }]);
    // each broker learns of the topic on its own schedule: ask until the one asked knows it
    const leaders = await waitFor('partition leaders', () => withAdmin(kafka, async (admin) => (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.map((p) => p.leader)));
    expect(new Set(leaders).size).toBe(3);

    // read while writing: the group and Kafka's offsets topic exist on all three brokers before the kill
    // by offset: a redelivery to the consumer (a rebalance while a coordinator died) is the same write, a duplicate is another
    const seen = new Map<string, Set<string>>();
    const consumer = kafka.consumer({ groupId: uniqueName('it.replicated.group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const key = message.key!.toString();
        seen.set(key, (seen.get(key) ?? new Set()).add(`${partition}@${message.offset}`));
      },
    });

    const producer = createMessageProducer(kafka);
    await producer.connect();
    const acknowledged: string[] = [];
    /** Messages the caller sent again after a rejection: a resend is a new write, which idempotence cannot recognise. */
    const resent = new Set<string>();
    let sending = true;
    const sender = (async () => {
      // one message per send, as the stages send chunks (the plan's window of splits is the one multi-message send)
      for (let i = 0; sending || i < 40; i++) {
        const key = `m${i}`;
        // a send rejected during the failover is retried by the caller, as a stage does
        for (;;) {
          try {
            await producer.send(topic, [{ key, value: Buffer.alloc(4096, key) }]);
            break;
          } catch {
            resent.add(key);
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        }
        acknowledged.push(key);
      }
    })();

    await waitFor('some messages acknowledged', () => acknowledged.length >= 50, 60_000);
    const victim = leaders[0]!;
    await cluster.kill(victim);
    const killedAt = acknowledged.length;
    await waitFor('messages acknowledged with a broker dead', () => acknowledged.length >= killedAt + 100, 120_000);
    await cluster.start(victim);
    sending = false;
    await sender;
    await producer.disconnect();

    // bounded: what is still missing then is lost, and the assertion below counts it
    await waitFor('every acknowledged message read back', () => acknowledged.every((k) => seen.has(k)), 120_000).catch(() => undefined);
    await consumer.disconnect();

    // kafkajs' own retries of a message are recognised by the broker (producer id + sequence): only a caller's resend may repeat
    const duplicated = [...seen.entries()].filter(([, writes]) => writes.size > 1).map(([key]) => key);
    const unexplained = duplicated.filter((key) => !resent.has(key));
    expect({ lost: acknowledged.filter((k) => !seen.has(k)).length, unexplained }).toEqual({ lost: 0, unexplained: [] });
  }, 300_000);
});
