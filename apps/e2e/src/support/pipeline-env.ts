import { topicNames, type TopicNames } from '@brokered-etl/contracts';
import { createSilentLogger, type Logger } from '@brokered-etl/observability';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { connectRunControl, type ConnectedRunControl } from '@brokered-etl/run-control';
import { connectMongo, type MongoConnection } from '@brokered-etl/staging';
import { databaseFor, integrationEnv, uniqueName, workerEnvFor, type IntegrationEnv } from '@brokered-etl/testing';
import { startAllStages, type TestStages } from '@brokered-etl/worker/testing';

/** The services a spec talks to, and the namespace and database it owns on them. */
export interface PipelineScope {
  env: IntegrationEnv;
  namespace: string;
  database: string;
  logger: Logger;
}

/** What `start()` brought up for one spec. */
export interface RunningPipeline {
  stages: TestStages;
  connected: ConnectedRunControl;
  /** For assertions on the target and staging collections: `mongo.db(database)`. */
  mongo: MongoConnection['client'];
}

/**
 * One spec's own pipeline on the real services. The names exist at once (specs
 * use them while they are being defined); the services only from `start()`,
 * called in `beforeAll`, and `close()` in `afterAll` undoes whatever it got to.
 */
export interface PipelineEnv extends PipelineScope {
  topics: TopicNames;
  /** `extraEnv`: more worker variables (e.g. ENRICHMENT_SERVICES). */
  start(options?: { extraEnv?: Record<string, string> }): Promise<RunningPipeline>;
  close(): Promise<void>;
}

/** A run control on a spec's namespace and database, as the CLI and the API app connect theirs. */
export function connectTestRunControl(scope: PipelineScope): Promise<ConnectedRunControl> {
  const { env, namespace, database, logger } = scope;
  return connectRunControl(workerEnvFor(env, namespace, database), logger, PIPELINES.map((p) => p.name));
}

/** A fresh namespace (topics, consumer groups) and database named after `prefix`; nothing runs until `start()`. */
export function createPipelineEnv(prefix: string): PipelineEnv {
  const env = integrationEnv();
  const namespace = uniqueName(prefix);
  const database = databaseFor(namespace);
  const logger = createSilentLogger();
  const scope: PipelineScope = { env, namespace, database, logger };
  // each part is kept as soon as it is up, so close() after a start that failed halfway still stops it
  let mongo: MongoConnection | undefined;
  let stages: TestStages | undefined;
  let connected: ConnectedRunControl | undefined;

  return {
    ...scope,
    topics: topicNames(namespace),
    async start(options = {}) {
      // first: the database is dropped at close even when the workers never came up
      mongo = await connectMongo({ url: env.mongoUrl, database, appName: 'it-e2e' });
      stages = await startAllStages({ ...scope, extraEnv: options.extraEnv });
      connected = await connectTestRunControl(scope);
      return { stages, connected, mongo: mongo.client };
    },
    async close() {
      const [control, workers, db] = [connected, stages, mongo];
      connected = stages = mongo = undefined;
      await runAll([
        () => control?.close(),
        () => workers?.stop(),
        // a database left behind is uniquely named and harmless: not worth failing the spec over
        () => db?.db.dropDatabase().catch(() => undefined),
        () => db?.close(),
      ]);
    },
  };
}

/** Runs every step in turn, even after one fails, then rethrows the first failure. */
async function runAll(steps: Array<() => Promise<unknown> | undefined>): Promise<void> {
  let failure: { error: unknown } | undefined;
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}
