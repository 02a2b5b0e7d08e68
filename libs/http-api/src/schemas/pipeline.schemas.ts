import type { ParamSpec } from '@brokered-etl/pipeline-kit';

/**
 * One param as a pipeline declares it (ParamSpec): what run control checks a
 * value against, so a client (the console's form) can check it first.
 * Responses are serialised through this schema, and a field it lacks is
 * dropped from the answer: `satisfies` makes a ParamSpec field added later
 * fail the typecheck here instead of vanishing from GET /pipelines.
 */
const paramSpecProperties = {
  description: { type: 'string' },
  default: { type: 'string', description: 'used when a run leaves the param out or empty' },
  type: { type: 'string', enum: ['string', 'integer', 'path'], description: 'string (when absent): any text; integer: a whole number; path: a file inside the source roots (ETL_SOURCE_ROOTS)' },
  values: { type: 'array', items: { type: 'string' }, description: 'the only values allowed' },
  pattern: { type: 'string', description: 'a regular expression the whole value must match' },
  maxLength: { type: 'number', description: 'most characters (1024 when absent)' },
  min: { type: 'number', description: 'integer: smallest value allowed' },
  max: { type: 'number', description: 'integer: largest value allowed' },
  required: { type: 'boolean', description: 'a run must name it (never true of a param with a default)' },
} as const satisfies { [K in keyof Required<ParamSpec>]: unknown };

export const paramSpecSchema = { type: 'object', required: ['description'], properties: paramSpecProperties } as const;

export const pipelinesSchema = {
  type: 'object',
  properties: {
    pipelines: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          description: { type: 'string' },
          params: { type: 'object', additionalProperties: paramSpecSchema, description: 'param name → what a value must look like; POST /runs refuses a value that does not fit (400 BAD_PARAMS naming body.params.<name>)' },
        },
      },
    },
  },
} as const;
