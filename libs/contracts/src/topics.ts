/**
 * Every topic and subject name lives here. A namespace prefix lets several
 * environments, or parallel tests, share one cluster without seeing each other.
 */
export type DataStage = 'extracted' | 'transformed';
export type StageName = 'extractor' | 'transformer' | 'loader';

/** The stages in pipeline order: one list for every place that walks them. */
export const STAGE_NAMES = ['extractor', 'transformer', 'loader'] as const satisfies readonly StageName[];

export interface TopicNames {
  trigger: string;
  /** Planned pieces of runs' sources, taken by any extractor instance (ADR 0004). */
  splits: string;
  events: string;
  dlq: string;
  data(pipeline: string, stage: DataStage): string;
}

export function topicNames(namespace = ''): TopicNames {
  const p = namespace ? `${namespace}.` : '';
  return {
    trigger: `${p}etl.runs.trigger`,
    splits: `${p}etl.runs.splits`,
    events: `${p}etl.runs.events`,
    dlq: `${p}etl.dlq`,
    data: (pipeline, stage) => `${p}${pipeline}.${stage}`,
  };
}

/** Consumer group of each stage; one group per stage, shared by every pipeline it hosts. */
export function groupId(stage: StageName, namespace = ''): string {
  return `${namespace ? `${namespace}.` : ''}etl.${stage}`;
}

/** Confluent TopicNameStrategy: the value schema of topic T lives under subject "T-value". */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

/** What a stage consumes and where its output goes. */
export const STAGE_INPUT: Record<StageName, 'trigger' | DataStage> = {
  extractor: 'trigger',
  transformer: 'extracted',
  loader: 'transformed',
};

/** The topics a stage's consumer group reads: the extractor takes triggers and the splits it plans from them. */
export function stageInputTopics(stage: StageName, topics: TopicNames, pipelines: readonly string[]): string[] {
  const input = STAGE_INPUT[stage];
  return input === 'trigger' ? [topics.trigger, topics.splits] : pipelines.map((p) => topics.data(p, input));
}

/**
 * Control topics carry triggers, run events and dead letters (few, small);
 * data topics carry splits and chunks, the work a stage's instances share.
 */
export type TopicKind = 'control' | 'data';

/** Partitions of our topics when not configured: enough for the two-to-four workers a stage runs here; splits spread like data. */
export const DEFAULT_PARTITIONS = { control: 3, data: 6 } as const satisfies Record<TopicKind, number>;

/** Every topic the workers create, each with its kind (its partition count comes from the kind). */
export function workerTopics(topics: TopicNames, pipelines: readonly string[]): Array<{ topic: string; kind: TopicKind }> {
  const control = [topics.trigger, topics.events, topics.dlq];
  const data = [topics.splits, ...pipelines.flatMap((p) => [topics.data(p, 'extracted'), topics.data(p, 'transformed')])];
  return [...control.map((topic) => ({ topic, kind: 'control' as const })), ...data.map((topic) => ({ topic, kind: 'data' as const }))];
}
