import { z } from 'zod';

/**
 * The shape of a pipeline file, checked before anything is built from it.
 * Record shapes (`extracted`, `transformed`) are checked by pipeline-kit's
 * parseRecordShape after their shorthands are expanded; expressions are
 * JSONata, compiled when the pipeline is built.
 */
const expression = z.string().trim().min(1, 'must be a JSONata expression, not empty');

/** Lowercase, as it is part of topic names (`<name>.extracted`) and subjects. */
export const PIPELINE_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

/** A MongoDB collection name that is not a system one. */
const COLLECTION = /^(?!system\.)[A-Za-z_][A-Za-z0-9_.-]{0,119}$/;

const paramSpec = z.strictObject({
  description: z.string().min(1),
  default: z.string().optional(),
  type: z.enum(['string', 'integer', 'path']).optional(),
  values: z.array(z.string()).min(1).optional(),
  pattern: z.string().optional(),
  maxLength: z.int().min(1).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  required: z.boolean().optional(),
});

/** The params every file source takes: a declaration adds its own beside them. */
export const FILE_SOURCE_PARAMS = ['source', 'format', 'limit'] as const;

export const pipelineFileSchema = z.strictObject({
  name: z.string().regex(PIPELINE_NAME, 'must be lowercase letters, digits, "-" or "_", starting with a letter (it is part of topic names)'),
  description: z.string().min(1),
  /** Run params beyond source, format and limit; expressions see them as $params. */
  params: z
    .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a param name is letters, digits and "_"'), paramSpec)
    .refine((params) => !FILE_SOURCE_PARAMS.some((name) => name in params), `source, format and limit are the file source's own params`)
    .optional(),
  source: z.strictObject({
    /** The file read when a run names none, inside the source roots. */
    file: z.string().min(1),
    /** Unset: from the file's extension; a run's `format` param wins. */
    format: z.enum(['json', 'csv', 'parquet']).optional(),
    /** What a run's `source` param should name, for `etl pipelines show`. */
    help: z.string().min(1).optional(),
    /** A `long` field of the extracted record that receives the record's position in the file (for keys without a natural one). */
    positionField: z.string().min(1).optional(),
  }),
  extracted: z.unknown(),
  transformed: z.unknown(),
  /** Output field → JSONata over the extracted record; a field left out takes the extracted field of its name. */
  mapping: z.record(z.string(), expression).default({}),
  /** Checked in order on the mapped record; the first whose `when` is true rejects it with `reason`. */
  reject: z.array(z.strictObject({ when: expression, reason: expression })).default([]),
  target: z.strictObject({
    collection: z.string().regex(COLLECTION, 'must be a MongoDB collection name (letters, digits, "_", ".", "-"), not a system one'),
    /** JSONata over the mapped record giving the document's _id: the same source record must always give the same key. */
    key: expression,
  }),
  chunkLimits: z
    .strictObject({ maxRecords: z.int().min(1).max(100_000).optional(), maxBytes: z.int().min(1024).max(8 * 1024 * 1024).optional() })
    .optional(),
});

export type PipelineFile = z.infer<typeof pipelineFileSchema>;
