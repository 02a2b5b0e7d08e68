import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfraError } from '../infra.errors';
import type { LocalInfraOptions } from '../infra.options';
import { readPid } from '../process-control';
import { createKafkaService, newClusterId, type KafkaClusterNode } from './kafka.service';
import type { LocalService } from './service';

/** The most nodes a local cluster gets: each is a JVM of up to 512 MiB on the same host. */
export const MAX_LOCAL_BROKERS = 5;

export interface KafkaClusterOptions {
  /** Nodes, each a combined broker + controller (what Kafka's docs suggest for a small development quorum). */
  size: number;
  /** Broker and controller port of each node; default: ETL_KAFKA_PORT and ETL_KAFKA_CONTROLLER_PORT, +2 per node. */
  ports?: Array<{ port: number; controllerPort: number }>;
}

/** Where the cluster's nodes keep their folders, beside the single broker's `kafka/`. */
export const clusterHome = (stateDir: string) => join(stateDir, 'kafka-cluster');

/**
 * A local KRaft cluster: `size` combined nodes in one static quorum (3 voters
 * survive the loss of one), each with its own ports and folder, all formatted
 * with one cluster id. Each node is a LocalService like the single broker, so
 * infra up/status/down and the tests start, check and stop them one by one.
 */
export function createKafkaCluster(options: LocalInfraOptions, cluster: KafkaClusterOptions): LocalService[] {
  const { size } = cluster;
  if (!Number.isInteger(size) || size < 2 || size > MAX_LOCAL_BROKERS) {
    throw new InfraError('START_FAILED', `a local Kafka cluster has 2 to ${MAX_LOCAL_BROKERS} brokers, not ${size}`);
  }
  const home = clusterHome(options.stateDir);
  const ports = cluster.ports ?? Array.from({ length: size }, (_, i) => ({ port: options.ports.kafka + 2 * i, controllerPort: options.ports.kafkaController + 2 * i }));
  if (ports.length !== size) throw new InfraError('START_FAILED', `${size} brokers need ${size} port pairs, got ${ports.length}`);
  checkSameShape(home, size);
  const voters = ports.map((p, i) => `${i + 1}@127.0.0.1:${p.controllerPort}`).join(',');
  const clusterId = () => sharedClusterId(home, size);
  return ports.map((p, i) => {
    const node: KafkaClusterNode = { id: i + 1, name: `kafka-${i + 1}`, home: join(home, `node-${i + 1}`), port: p.port, controllerPort: p.controllerPort, voters, clusterId, size };
    return createKafkaService(options, { node });
  });
}

/** Nodes of a cluster in stateDir that are running (their pid files name live processes): what status and down look at. */
export function runningClusterSize(stateDir: string): number {
  const home = clusterHome(stateDir);
  if (!existsSync(home)) return 0;
  const nodes = readdirSync(home).filter((d) => /^node-\d+$/.test(d));
  return nodes.some((d) => readPid(join(home, d, 'kafka.pid')) !== undefined) ? recordedSize(home) ?? nodes.length : 0;
}

function recordedSize(home: string): number | undefined {
  const file = join(home, 'cluster.size');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
}

/** A quorum is fixed at format time: a cluster made with 3 nodes cannot be started as 5. */
function checkSameShape(home: string, size: number): void {
  const recorded = recordedSize(home);
  if (recorded !== undefined && recorded !== size) {
    throw new InfraError('START_FAILED', `the local Kafka cluster in ${home} was formatted with ${recorded} brokers; use --brokers ${recorded}, or stop it and delete that folder to make one of ${size}`);
  }
}

function sharedClusterId(home: string, size: number): string {
  const file = join(home, 'cluster.id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(home, { recursive: true });
  const id = newClusterId();
  writeFileSync(file, `${id}\n`);
  writeFileSync(join(home, 'cluster.size'), `${size}\n`);
  return id;
}
