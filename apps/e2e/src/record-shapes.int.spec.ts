import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { topicNames, valueSubject, type AvroRecordSchema, type DataStage, type TopicNames } from '@brokered-etl/contracts';
import { createAvroRegistry, type AvroRegistry } from '@brokered-etl/messaging';
import { avroSchemaOf, recordShape, string, type AnyPipeline, type FieldSpec } from '@brokered-etl/pipeline-kit';
import { airportsPipeline } from '@brokered-etl/pipelines/airports';
import { flightShape, flightsPipeline } from '@brokered-etl/pipelines/flights';
import { registerSchemas } from '@brokered-etl/stages';
import { integrationEnv, REPO_ROOT, uniqueName } from '@brokered-etl/testing';

/**
 * Record shapes declared once must not break what is registered: the schemas
 * flights and airports registered before (a frozen copy in each pipeline lib)
 * go in first, then the derived ones through the registry's own BACKWARD check,
 * exactly as a worker registers them at start-up.
 */
describe('derived record schemas against the ones registered before (real registry)', () => {
  const env = integrationEnv();
  let registry: AvroRegistry;

  const baselineOf = (pipeline: AnyPipeline): AnyPipeline => {
    const file = join(REPO_ROOT, 'libs', 'pipelines', pipeline.name, 'src', `${pipeline.name}.registered-schemas.baseline.json`);
    const baseline = JSON.parse(readFileSync(file, 'utf8')) as Record<DataStage, AvroRecordSchema>;
    return { ...pipeline, extractedRecord: baseline.extracted, transformedRecord: baseline.transformed };
  };
  const STAGES = ['extracted', 'transformed'] as const;
  const subjectOf = (topics: TopicNames, pipeline: AnyPipeline, stage: DataStage) => valueSubject(topics.data(pipeline.name, stage));

  async function ccompat(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${env.schemaRegistryUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    return response.json();
  }
  const verdict = async (subject: string, schema: AvroRecordSchema) =>
    ((await ccompat('POST', `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`, { schema: JSON.stringify(schema) })) as { is_compatible: boolean }).is_compatible;
  const latestOf = async (subject: string) => JSON.parse(((await ccompat('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`)) as { schema: string }).schema) as AvroRecordSchema;
  /** The subject's latest chunk schema carrying `record` instead: what a worker would register next. */
  const nextChunk = async (subject: string, record: AvroRecordSchema): Promise<AvroRecordSchema> => {
    const latest = await latestOf(subject);
    return { ...latest, fields: latest.fields.map((f) => (f.name === 'records' ? { ...f, type: { type: 'array', items: record } } : f)) };
  };

  beforeAll(() => {
    registry = createAvroRegistry({ url: env.schemaRegistryUrl, compatibility: 'BACKWARD' });
  });

  it.each([flightsPipeline, airportsPipeline])('$name: the derived schemas register over the baseline as the same versions', async (pipeline) => {
    const topics = topicNames(uniqueName(`it-shapes-${pipeline.name}`));
    const before = await registerSchemas(registry, topics, [baselineOf(pipeline)]);

    // the registry's verdict on each derived chunk schema, before a worker registers it
    for (const stage of STAGES) {
      const subject = subjectOf(topics, pipeline, stage);
      await expect(verdict(subject, await nextChunk(subject, pipeline[`${stage}Record`]))).resolves.toBe(true);
    }

    const after = await registerSchemas(registry, topics, [pipeline]);
    expect(after.extracted.get(pipeline.name)).toBe(before.extracted.get(pipeline.name));
    expect(after.transformed.get(pipeline.name)).toBe(before.transformed.get(pipeline.name));
    for (const stage of STAGES) {
      await expect(ccompat('GET', `/subjects/${encodeURIComponent(subjectOf(topics, pipeline, stage))}/versions`)).resolves.toEqual([1]);
    }
  });

  describe('a shape change is judged by the same check', () => {
    const topics = topicNames(uniqueName('it-shapes-evolve'));
    const withField = (field: FieldSpec): AnyPipeline => ({
      ...flightsPipeline,
      transformedRecord: avroSchemaOf(recordShape({ ...flightShape, fields: { ...flightShape.fields, gate: field } })),
    });

    beforeAll(async () => {
      await registerSchemas(registry, topics, [baselineOf(flightsPipeline)]);
    });

    it('refuses a new required field without a default: SCHEMA_INCOMPATIBLE, nothing registered', async () => {
      const subject = valueSubject(topics.data('flights', 'transformed'));
      const changed = withField(string());
      await expect(verdict(subject, await nextChunk(subject, changed.transformedRecord))).resolves.toBe(false);
      await expect(registerSchemas(registry, topics, [changed])).rejects.toMatchObject({ code: 'SCHEMA_INCOMPATIBLE', details: { subject } });
      await expect(ccompat('GET', `/subjects/${encodeURIComponent(subject)}/versions`)).resolves.toEqual([1]);
    });

    it('accepts a new nullable field (default null) as the next version', async () => {
      const subject = valueSubject(topics.data('flights', 'transformed'));
      await registerSchemas(registry, topics, [withField(string({ nullable: true }))]);
      await expect(ccompat('GET', `/subjects/${encodeURIComponent(subject)}/versions`)).resolves.toEqual([1, 2]);
      const records = (await latestOf(subject)).fields.find((f) => f.name === 'records')?.type as { items: AvroRecordSchema } | undefined;
      expect(records?.items.fields.at(-1)).toEqual({ name: 'gate', type: ['null', 'string'], default: null });
    });
  });
});
