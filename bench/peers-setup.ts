import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafkaConnectService, createMongoService, freePort, localInfraOptionsFromEnv, type KafkaConnectService, type LocalService } from '@brokered-etl/local-infra';
import { appEnvFor, parseLogLine, REPO_ROOT, startApp, startPrivateKafka, type AppProcess, type IntegrationEnv, type PrivateKafka } from '@brokered-etl/testing';
import { pidListeningOn, processTree, type Watched } from './peers-proc';

/**
 * What bench:peers and bench:latency measure against: Kafka and FerretDB of
 * their own (so the database's CPU is the benchmark's alone, not the other
 * engineers' on the shared servers), the shared schema registry (only asked
 * at start-up), one warm Kafka Connect worker and our three stage workers as
 * processes. `shared`: use the endpoints in env as they are (the CI smoke).
 */
export interface PeerServices {
  env: IntegrationEnv;
  /** Started unless withoutConnect. */
  connect: KafkaConnectService | undefined;
  /** Processes whose CPU and memory are read (db and kafka only when they run on this host). */
  watched: Record<'extractor' | 'transformer' | 'loader' | 'connect' | 'db' | 'kafka' | 'bench', Watched>;
  workers: Record<'extractor' | 'transformer' | 'loader', AppProcess>;
  /** The /metrics URL of a stage worker. */
  opsUrl(stage: 'extractor' | 'transformer' | 'loader'): string;
  close(): Promise<void>;
}

/** How far a sink's committed offsets may trail its writes; the bench's clock for the sink runs at most this long. */
export const SINK_COMMIT_INTERVAL_MS = 50;

const portOf = (endpoint: string) => Number(/:(\d+)(\/|$)/.exec(endpoint)?.[1]);

export async function startPeerServices(options: {
  shared: boolean;
  base: IntegrationEnv;
  namespace: string;
  database: string;
  report: (line: string) => void;
  withoutConnect?: boolean;
  workerEnv?: Record<string, string>;
}): Promise<PeerServices> {
  const { report } = options;
  const infra = localInfraOptionsFromEnv(REPO_ROOT, process.env);
  const stateDir = mkdtempSync(join(tmpdir(), 'etl-bench-peers-'));
  const cleanups: Array<() => Promise<unknown>> = [async () => rmSync(stateDir, { recursive: true, force: true })];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => report(`cleanup: ${(err as Error).message}`));
  };
  try {
    let env = options.base;
    if (!options.shared) {
      report('starting a private Kafka and FerretDB');
      const kafka: PrivateKafka = await startPrivateKafka();
      cleanups.push(() => kafka.destroy());
      const mongoPort = await freePort();
      const mongo: LocalService = createMongoService({ ...infra, stateDir: join(stateDir, 'private'), ports: { ...infra.ports, mongo: mongoPort } });
      await mongo.provision(report);
      await mongo.start();
      cleanups.push(() => mongo.stop());
      env = { kafkaBrokers: kafka.brokers, schemaRegistryUrl: options.base.schemaRegistryUrl, mongoUrl: mongo.endpoint };
    }

    let connect: KafkaConnectService | undefined;
    if (!options.withoutConnect) {
      const service = createKafkaConnectService({ ...infra, stateDir }, {
        brokers: env.kafkaBrokers.join(','),
        restPort: await freePort(),
        // the bench knows what a sink has written from its committed offsets: let them trail the writes by 50 ms at most
        offsetFlushIntervalMs: SINK_COMMIT_INTERVAL_MS,
      });
      await service.provision(report);
      report('starting Kafka Connect (standalone)');
      await service.start();
      cleanups.push(() => service.stop());
      connect = service;
    }

    report('starting extractor, transformer and loader');
    const workerEnv = { ...appEnvFor(env, options.namespace, options.database), OPS_PORT: '0', LOG_LEVEL: 'info', ...options.workerEnv };
    const start = (stage: string) => startApp(stage, { ...workerEnv, KAFKA_CLIENT_ID: `bench-${stage}` });
    const workers = { extractor: start('extractor'), transformer: start('transformer'), loader: start('loader') };
    cleanups.push(() => Promise.all(Object.values(workers).map((app) => app.stop('SIGTERM', 30_000))));
    const opsUrls: Record<string, string> = {};
    for (const [stage, app] of Object.entries(workers)) {
      await app.waitForLine((line) => parseLogLine(line)?.['message'] === 'joined group', 180_000);
      opsUrls[stage] = String(parseLogLine(await app.waitForLine((line) => parseLogLine(line)?.['message'] === 'ops server listening'))?.['url']);
    }

    // looked up once: a server's pid does not change while it runs
    const dbPid = pidListeningOn(portOf(env.mongoUrl));
    const kafkaPid = pidListeningOn(portOf(env.kafkaBrokers[0]!));
    const tree = (app: AppProcess) => () => (app.child.pid === undefined ? [] : processTree(app.child.pid));
    const one = (pid: number | undefined) => () => (pid === undefined ? [] : [pid]);
    return {
      env,
      connect,
      workers,
      opsUrl: (stage) => opsUrls[stage]!,
      watched: {
        extractor: { name: 'extractor', pids: tree(workers.extractor) },
        transformer: { name: 'transformer', pids: tree(workers.transformer) },
        loader: { name: 'loader', pids: tree(workers.loader) },
        connect: { name: 'connect', pids: one(connect?.pid()) },
        db: { name: 'db', pids: one(dbPid) },
        kafka: { name: 'kafka', pids: one(kafkaPid) },
        bench: { name: 'bench', pids: one(process.pid) },
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
