import { groupId, STAGE_NAMES, stageInputTopics, topicNames, type StageName } from '@brokered-etl/contracts';
import { createKafkaClient, createLagReader } from '@brokered-etl/messaging';
import type { Logger } from '@brokered-etl/observability';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { connectMongo, createMongoStagingStore, type StagingStore } from '@brokered-etl/staging';
import { createExtractHandler, createLoadHandler, createTransformHandler } from '@brokered-etl/stages';
import { appEnvFor, waitFor, type IntegrationEnv } from '@brokered-etl/testing';
import { startStageWorker, type RunningWorker } from '../stage-worker';
import { stageWorkerEnvSchema } from '../worker.config';

export interface TestStages {
  staging: StagingStore;
  /** Stops one stage's worker (it commits and leaves its group). */
  stopStage(stage: StageName): Promise<void>;
  startStage(stage: StageName): Promise<void>;
  /** Base URL of a running stage's /healthz, /readyz and /metrics (a free port per worker). */
  opsUrl(stage: StageName): string;
  schemaIdOf(pipelineOrTrigger: string, stage?: 'extracted' | 'transformed'): Promise<number>;
  /** Resolves when every stage group has committed up to the end of its input topics. */
  waitIdle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The three stage workers in this process, on a namespace and database of their own. */
export async function startAllStages(options: { env: IntegrationEnv; namespace: string; database: string; logger: Logger; sessionTimeoutMs?: number; extraEnv?: Record<string, string> }): Promise<TestStages> {
  const env = stageWorkerEnvSchema.parse({
    ...appEnvFor(options.env, options.namespace, options.database),
    ...options.extraEnv,
    SESSION_TIMEOUT_MS: options.sessionTimeoutMs,
    // three workers in one process, and other test runs on the host: never a fixed port
    OPS_PORT: 0,
  });
  const handlers = { extractor: createExtractHandler, transformer: createTransformHandler, loader: createLoadHandler };
  const workers = new Map<StageName, RunningWorker>();
  const startStage = async (stage: StageName) => {
    const worker = await startStageWorker({ stage, env, logger: options.logger, pipelines: PIPELINES, handlerFor: handlers[stage] });
    workers.set(stage, worker);
    await worker.consumer.joined;
  };
  for (const stage of ['loader', 'transformer', 'extractor'] as StageName[]) await startStage(stage);
  const mongo = await connectMongo({ url: options.env.mongoUrl, database: options.database });
  const topics = topicNames(options.namespace);
  const kafka = createKafkaClient({ brokers: options.env.kafkaBrokers, clientId: 'it-harness', logger: options.logger });
  const schemas = workers.get('loader')!.schemas;

  const inputs = STAGE_NAMES.map((stage) => [stage, stageInputTopics(stage, topics, PIPELINES.map((p) => p.name))] as const);

  return {
    staging: createMongoStagingStore(mongo.db),
    startStage,
    opsUrl(stage) {
      const worker = workers.get(stage);
      if (!worker) throw new Error(`${stage} is not running`);
      return worker.ops.url;
    },
    async stopStage(stage) {
      await workers.get(stage)?.stop();
      workers.delete(stage);
    },
    async schemaIdOf(name, stage) {
      if (name === 'trigger') return schemas.trigger;
      if (name === 'splits') return schemas.splits;
      return (stage === 'extracted' ? schemas.extracted : schemas.transformed).get(name)!;
    },
    async waitIdle(timeoutMs = 60_000) {
      for (const [stage, stageTopics] of inputs) {
        const lag = createLagReader(kafka, { groupId: groupId(stage, options.namespace), topics: stageTopics, timeoutMs: 10_000 });
        try {
          await waitFor(`${stage} to catch up`, async () => (await lag.read()).every((p) => p.lag === 0), timeoutMs);
        } finally {
          await lag.close();
        }
      }
    },
    async stop() {
      await Promise.all([...workers.values()].map((w) => w.stop()));
      await mongo.close();
    },
  };
}
