import { STAGE_NAMES } from '@brokered-etl/contracts';
const dateTime = { type: 'string', format: 'date-time' } as const;

export const STAGES = STAGE_NAMES;

/** Bytes as text when printable, else "base64:…" (as `etl dlq show --json`). */
const bytes = { type: ['string', 'null'], description: 'text when printable, else "base64:<data>"' } as const;

const deadLetterProperties = {
  id: { type: 'string' },
  runId: { type: ['string', 'null'] },
  pipeline: { type: ['string', 'null'] },
  stage: { type: 'string' },
  errorCode: { type: 'string' },
  errorMessage: { type: 'string' },
  attempts: { type: 'integer' },
  failedAt: dateTime,
  topic: { type: 'string' },
  partition: { type: 'integer' },
  offset: { type: 'string' },
  chunkSeq: { type: ['integer', 'null'] },
  recordIndex: { type: ['integer', 'null'] },
  record: { type: ['string', 'null'], description: 'the rejected record as JSON (only with API_EXPOSE_RECORDS=true)' },
  redrivenAt: dateTime,
  redrives: { type: 'integer' },
  valueBytes: { type: ['integer', 'null'], description: 'size of the original message value' },
} as const;

export const deadLetterSummarySchema = { type: 'object', properties: deadLetterProperties } as const;

export const deadLetterSchema = {
  type: 'object',
  properties: {
    ...deadLetterProperties,
    key: bytes,
    value: bytes,
    headers: { type: 'array', items: { type: 'object', properties: { key: { type: 'string' }, value: bytes } } },
  },
} as const;

export const listDeadLettersQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    runId: { type: 'string', minLength: 1 },
    stage: { type: 'string', enum: STAGES },
    all: { type: 'boolean', default: false, description: 'include the ones already redriven (default: open ones only)' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
} as const;

export const deadLetterIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 512 } },
} as const;

export const redriveBodySchema = {
  type: 'object',
  additionalProperties: false,
  description: 'exactly one of runId (every open dead letter of the run) or ids',
  properties: {
    runId: { type: 'string', minLength: 1, maxLength: 256 },
    ids: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 512 } },
    refreshEnrichment: { type: 'boolean', default: false, description: 'ask enrichment services again (e.g. one that refused a record) instead of reusing staged answers' },
  },
} as const;

export interface RedriveBody {
  runId?: string;
  ids?: string[];
  refreshEnrichment?: boolean;
}

export const redriveResultSchema = {
  type: 'object',
  properties: {
    redriven: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, topic: { type: 'string' }, runId: { type: ['string', 'null'] } } } },
  },
} as const;
