import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafkaCluster, freePort, localInfraOptionsFromEnv } from '@brokered-etl/local-infra';
import { REPO_ROOT } from './service-endpoints';

export interface PrivateKafkaCluster {
  /** Every node's client endpoint: what KAFKA_BROKERS gets. */
  brokers: string[];
  size: number;
  /** SIGKILL of node n (1-based) and its process group: no controlled shutdown, no leadership handed over. Resolves once it is gone. */
  kill(node: number): Promise<void>;
  /** Stops node n (SIGTERM: a controlled shutdown that moves its leaderships first). */
  stop(node: number): Promise<void>;
  /** Starts node n again on its ports and data; resolves once it accepts connections. */
  start(node: number): Promise<void>;
  isRunning(node: number): boolean;
  /** Stops every node and deletes the data. */
  destroy(): Promise<void>;
}

/**
 * A KRaft cluster of the test's own: `size` combined broker+controller nodes
 * on free loopback ports with their data in a temp dir, for tests that kill a
 * broker (never the shared one). Same jars and node config as
 * `npm run infra:up -- --brokers 3`.
 */
export async function startPrivateKafkaCluster(size = 3, env: NodeJS.ProcessEnv = process.env): Promise<PrivateKafkaCluster> {
  const stateDir = mkdtempSync(join(tmpdir(), 'etl-private-kafka-cluster-'));
  const base = localInfraOptionsFromEnv(REPO_ROOT, env);
  const ports: Array<{ port: number; controllerPort: number }> = [];
  for (let i = 0; i < size; i++) ports.push({ port: await freePort(), controllerPort: await freePort() });
  const nodes = createKafkaCluster({ ...base, stateDir, startTimeoutSec: 120 }, { size, ports });
  const nodeOf = (n: number) => {
    const node = nodes[n - 1];
    if (!node) throw new Error(`the private cluster has nodes 1 to ${size}, not ${n}`);
    return node;
  };
  const destroy = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    rmSync(stateDir, { recursive: true, force: true });
  };
  await nodes[0]!.provision(() => undefined);
  try {
    // in parallel: a node's broker listener opens only once a majority of the quorum is up
    // each resolves once its node is registered and unfenced (local-infra reads the node's log)
    await Promise.all(nodes.map((n) => n.start()));
  } catch (err) {
    await destroy();
    throw err;
  }
  return {
    brokers: nodes.map((n) => n.endpoint),
    size,
    async kill(n) {
      const pid = nodeOf(n).pid();
      if (pid === undefined) throw new Error(`node ${n} of the private cluster is not running`);
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        process.kill(pid, 'SIGKILL');
      }
      while (nodeOf(n).pid() !== undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    },
    stop: async (n) => void (await nodeOf(n).stop()),
    start: (n) => nodeOf(n).start(),
    isRunning: (n) => nodeOf(n).pid() !== undefined,
    destroy,
  };
}

