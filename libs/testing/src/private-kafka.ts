import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafkaService, freePort, localInfraOptionsFromEnv, type KafkaScramUser } from '@brokered-etl/local-infra';
import { REPO_ROOT } from './service-endpoints';

export interface PrivateKafkaOptions {
  /** A SASL_PLAINTEXT listener with SCRAM-SHA-256 and this user, instead of plaintext. */
  scram?: KafkaScramUser;
}

export interface PrivateKafka {
  brokers: string[];
  /** Starts it again on the same ports and data (after stop). */
  start(): Promise<void>;
  /** Stops the broker (SIGTERM, SIGKILL after a grace); resolves once the process is gone. */
  stop(): Promise<void>;
  /** Freezes the broker (SIGSTOP): connections stay open and nothing answers, as with a hung host or a network partition. */
  freeze(): void;
  /** Lets a frozen broker run again (SIGCONT). */
  thaw(): void;
  /** Stops it if running and deletes its data. */
  destroy(): Promise<void>;
}


/**
 * A single-node Kafka of the test's own, on free loopback ports with its data
 * in a temp dir: for tests that stop the broker, which must never be the
 * shared one other tests use. Same Kafka version and jars as local-infra.
 */
export async function startPrivateKafka(env: NodeJS.ProcessEnv = process.env, options: PrivateKafkaOptions = {}): Promise<PrivateKafka> {
  const stateDir = mkdtempSync(join(tmpdir(), 'etl-private-kafka-'));
  const base = localInfraOptionsFromEnv(REPO_ROOT, env);
  const [kafka, kafkaController] = [await freePort(), await freePort()];
  const service = createKafkaService({ ...base, stateDir, ports: { ...base.ports, kafka, kafkaController }, startTimeoutSec: 90 }, { scram: options.scram });
  await service.provision(() => undefined);
  const destroy = async () => {
    await service.stop();
    rmSync(stateDir, { recursive: true, force: true });
  };
  const signal = (name: NodeJS.Signals) => {
    const pid = service.pid();
    if (pid === undefined) throw new Error('the private kafka is not running');
    process.kill(pid, name);
  };
  // a frozen broker cannot honour SIGTERM: let it run before stopping it
  const unfreeze = () => {
    const pid = service.pid();
    if (pid !== undefined) process.kill(pid, 'SIGCONT');
  };
  try {
    await service.start();
  } catch (err) {
    await destroy();
    throw err;
  }
  return {
    brokers: [service.endpoint],
    start: () => service.start(),
    stop: async () => {
      unfreeze();
      await service.stop();
    },
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    destroy: async () => {
      unfreeze();
      await destroy();
    },
  };
}
