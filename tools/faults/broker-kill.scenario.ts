import type { Scenario } from './scenario.types';

/** Topics as a production cluster would have them: each partition on all three brokers, a write acknowledged by two. */
export const REPLICATED_TOPICS = { KAFKA_TOPIC_REPLICATION_FACTOR: '3', KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '2' } as const;

/**
 * One broker of a replicated cluster dies without warning (SIGKILL: no
 * controlled shutdown, its leaderships not handed over) and comes back later.
 * The controller fences it after broker.session.timeout.ms (9 s), moves its
 * leaderships to the in-sync survivors and drops it from every ISR; writes
 * need 2 in-sync replicas, which the survivors are.
 */
export const killBroker: Scenario = {
  name: 'kill-broker',
  does:
    "on the scenario's private 3-broker KRaft cluster, topics with replication factor 3 and min.insync.replicas 2: SIGKILL one broker (chosen at random) at a random point between 20 % and 40 % of the slice loaded, keep it dead 15–25 s, start it again on the same ports and data",
  expects: 'the survivors take over its partitions and acks=all writes go on; the restarted broker catches up; no worker exits; nothing lost, nothing counted twice',
  private: { kafkaCluster: 3 },
  workerEnv: REPLICATED_TOPICS,
  async inject(context) {
    const cluster = context.kafkaCluster;
    if (!cluster) throw new Error('kill-broker needs its private cluster');
    const fraction = context.rng.between(0.2, 0.4);
    if (!(await context.atProgress('loaded', fraction))) return context.note(`kill at ${Math.round(fraction * 100)} % loaded not made: the run had ended`);
    const node = context.rng.int(1, cluster.size);
    const deadMs = context.rng.between(15_000, 25_000);
    const loadedAt = () => `${context.watch?.latest()?.loaded ?? 0}/${context.expected} loaded`;
    // two events: progress after the kill (the failover) and after the restart (the rejoin), each timed on its own
    await context.fault(`broker ${node} of 3 SIGKILLed at ${loadedAt()}`, 'loaded', () => cluster.kill(node));
    await context.sleep(deadMs);
    await context.fault(`broker ${node} restarted after ${(deadMs / 1000).toFixed(1)} s dead, at ${loadedAt()}`, 'loaded', () => cluster.start(node));
  },
};
