import type { Kafka } from 'kafkajs';
import { withAdmin } from './kafka.client';

/** Brokers registered with the cluster's controller right now (a killed or starting one is not). */
export function liveBrokers(kafka: Kafka): Promise<number> {
  return withAdmin(kafka, async (admin) => (await admin.describeCluster()).brokers.length);
}
