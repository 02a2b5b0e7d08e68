import type { TopicNames } from '@brokered-etl/contracts';
import type { EnrichmentRuntime } from '@brokered-etl/enrichment';
import type { AvroRegistry, DeadLetterSink, MessageProducer } from '@brokered-etl/messaging';
import type { Logger } from '@brokered-etl/observability';
import { defaultSourceRoots, type AnyPipeline } from '@brokered-etl/pipeline-kit';
import type { StagingStore, TargetWriter } from '@brokered-etl/staging';
import type { RunEventPublisher } from './run-events';
import type { ProgressMarker } from './run-progress';
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
  /** Where stages note that a run moved (for the stall watchdog); nothing is noted when absent. */
  progress?: ProgressMarker;
  /** How the extractor cuts sources (ADR 0004); DEFAULT_EXTRACTION when absent. */
  extraction?: ExtractionOptions;
  /** Folders every file a pipeline reads must resolve inside (ETL_SOURCE_ROOTS); defaultSourceRoots() when absent. */
  sourceRoots?: readonly string[];
  /** Runs pipelines' enrichment steps (the transformer's); a pipeline with a step fails its chunks without it. */
  enrichment?: EnrichmentRuntime;
  /** How long one message may spend on enrichment calls before the chunk yields its partition (MAX_BATCH_MS). */
  enrichmentBudgetMs?: number;
  /**
   * The code this worker runs, as the unchanged-input skip keys on it (docs/staging.md): the extractor skips a
   * chunk an earlier run loaded only under the same code. No skip when absent (SKIP_UNCHANGED_INPUT=false).
   */
  codeVersion?: string;
  /** The target, where the extractor checks that an unchanged input's documents are still there (the loader writes it). */
  target?: TargetWriter;
  now?: () => Date;
}

export const sourceRootsOf = (deps: Pick<StageDeps, 'sourceRoots'>): readonly string[] => deps.sourceRoots ?? defaultSourceRoots();

export interface ExtractionOptions {
  /** Most records in one split: one split message is this much work. */
  splitRecords: number;
  /** Splits of one run queued at once; each finished split queues the next. */
  splitWindow: number;
}

export const DEFAULT_EXTRACTION: ExtractionOptions = { splitRecords: 50_000, splitWindow: 6 };

export interface LoaderDeps extends StageDeps {
  target: TargetWriter;
}
