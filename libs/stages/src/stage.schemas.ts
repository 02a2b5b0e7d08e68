import { chunkSchema, deadLetterSchema, extractSplitSchema, runEventSchema, runRequestedSchema, valueSubject, type TopicNames } from '@brokered-etl/contracts';
import type { AvroRegistry } from '@brokered-etl/messaging';
import type { AnyPipeline } from '@brokered-etl/pipeline-kit';

export interface SchemaIds {
  trigger: number;
  splits: number;
  events: number;
  dlq: number;
  extracted: ReadonlyMap<string, number>;
  transformed: ReadonlyMap<string, number>;
}

const chunkName = (pipeline: string, stage: string) => `${pipeline.replace(/(^|[-_])(\w)/g, (_, __, c: string) => c.toUpperCase())}${stage}Chunk`;

/**
 * Registers every schema we write, at start-up: an incompatible change fails
 * here (SCHEMA_INCOMPATIBLE), before the first message is read.
 */
export async function registerSchemas(registry: AvroRegistry, topics: TopicNames, pipelines: readonly AnyPipeline[]): Promise<SchemaIds> {
  const extracted = new Map<string, number>();
  const transformed = new Map<string, number>();
  for (const pipeline of pipelines) {
    const ns = `io.brokeredetl.${pipeline.name.replace(/[^a-z0-9]/gi, '')}`;
    extracted.set(pipeline.name, await registry.ensureSchema(valueSubject(topics.data(pipeline.name, 'extracted')), chunkSchema(chunkName(pipeline.name, 'Extracted'), ns, pipeline.extractedRecord)));
    transformed.set(pipeline.name, await registry.ensureSchema(valueSubject(topics.data(pipeline.name, 'transformed')), chunkSchema(chunkName(pipeline.name, 'Transformed'), ns, pipeline.transformedRecord)));
  }
  return {
    trigger: await registry.ensureSchema(valueSubject(topics.trigger), runRequestedSchema),
    splits: await registry.ensureSchema(valueSubject(topics.splits), extractSplitSchema),
    events: await registry.ensureSchema(valueSubject(topics.events), runEventSchema),
    dlq: await registry.ensureSchema(valueSubject(topics.dlq), deadLetterSchema),
    extracted,
    transformed,
  };
}
