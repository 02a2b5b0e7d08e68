import type { TopicNames } from '@brokered-etl/contracts';
import type { AvroRegistry, DeadLetterSink, MessageProducer } from '@brokered-etl/messaging';
import type { Logger } from '@brokered-etl/observability';
import type { AnyPipeline } from '@brokered-etl/pipeline-kit';
import type { StagingStore, TargetWriter } from '@brokered-etl/staging';
import type { RunEventPublisher } from './run-events';
import type { StageMetrics } from './stage.metrics';
import type { SchemaIds } from './stage.schemas';

/** What every stage handler is built from; apps assemble it once at start-up. */
export interface StageDeps {
  pipelines: { find(name: string): AnyPipeline | undefined; names(): string[] };
  staging: StagingStore;
  producer: MessageProducer;
  registry: AvroRegistry;
  topics: TopicNames;
  schemas: SchemaIds;
  events: RunEventPublisher;
  deadLetters: DeadLetterSink;
  logger: Logger;
  /** Records in/out/rejected per pipeline; noopStageMetrics when nobody scrapes. */
  metrics: StageMetrics;
  now?: () => Date;
}

export interface LoaderDeps extends StageDeps {
  target: TargetWriter;
}
