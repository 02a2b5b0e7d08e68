import { INLINE_LIMITS } from '@brokered-etl/pipeline-kit';
import { RUN_ID_PATTERN } from '@brokered-etl/contracts';

const dateTime = { type: 'string', format: 'date-time' } as const;

const runIdPattern = RUN_ID_PATTERN.source;

const countsSchema = {
  type: 'object',
  properties: {
    extracted: { type: 'integer' },
    transformed: { type: 'integer' },
    rejected: { type: 'integer' },
    loaded: { type: 'integer' },
    chunksExtracted: { type: 'integer' },
    chunksLoaded: { type: 'integer' },
    splitsExtracted: { type: 'integer', description: 'splits of the source extracted so far (of splitCount)' },
    waiting: {
      type: 'object',
      additionalProperties: { type: 'integer' },
      description: 'records of chunks not transformed yet that wait on a third-party service, per service name (absent when none)',
    },
  },
} as const;

export const runSchema = {
  type: 'object',
  required: ['runId', 'pipeline', 'status', 'requestedAt'],
  properties: {
    runId: { type: 'string' },
    pipeline: { type: 'string' },
    params: { type: 'object', additionalProperties: { type: 'string' } },
    requestedBy: { type: 'string' },
    status: { type: 'string', enum: ['requested', 'running', 'stalled', 'completed', 'failed'], description: 'stalled: open, but nothing moved for longer than the stall limit (see stall)' },
    requestedAt: dateTime,
    startedAt: dateTime,
    sourceEndedAt: dateTime,
    finishedAt: dateTime,
    reopenedAt: dateTime,
    totalChunks: { type: 'integer', description: 'known once the source is exhausted' },
    totalRecords: { type: 'integer' },
    generation: { type: 'integer', description: '0 for the first run, +1 per rerun' },
    failure: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
    splitCount: { type: 'integer', description: 'splits the source was planned into (known once planned)' },
    stall: { type: 'object', properties: { stage: { type: 'string' }, reason: { type: 'string' }, at: dateTime } },
    counts: countsSchema,
  },
} as const;

export const rejectionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    stage: { type: 'string' },
    chunkSeq: { type: 'integer' },
    recordIndex: { type: 'integer' },
    errorCode: { type: 'string' },
    reason: { type: 'string' },
    record: { type: 'string', description: 'the rejected record (only with API_EXPOSE_RECORDS=true)' },
    rejectedAt: dateTime,
    resolvedAt: dateTime,
  },
} as const;

export const runIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: runIdPattern, description: 'run id' } },
} as const;

export const TRIGGER_LIMITS = { params: 32, paramValueLength: 2048 } as const;

export const triggerBodySchema = {
  type: 'object',
  required: ['pipeline'],
  additionalProperties: false,
  properties: {
    pipeline: { type: 'string', minLength: 1, maxLength: 128, description: 'a pipeline from GET /pipelines' },
    // bounded so a run document (and every message that carries the params) stays small whatever a client sends
    params: {
      type: 'object',
      maxProperties: TRIGGER_LIMITS.params,
      propertyNames: { maxLength: 128 },
      additionalProperties: { type: 'string', maxLength: TRIGGER_LIMITS.paramValueLength },
      description: `pipeline parameters, e.g. {"source": "flights-2k.json"}; at most ${TRIGGER_LIMITS.params}, values up to ${TRIGGER_LIMITS.paramValueLength} characters. Each is checked against the param's spec in GET /pipelines (type, values, pattern, bounds): a value that does not fit is a 400 BAD_PARAMS naming body.params.<name>`,
    },
    runId: { type: 'string', pattern: runIdPattern, description: 'choose the run id: the same id twice starts one run' },
    records: {
      type: 'array',
      minItems: 1,
      maxItems: INLINE_LIMITS.records,
      items: { type: 'object' },
      description: `run the pipeline for just these records instead of its source (1 to ${INLINE_LIMITS.records}, at most ${INLINE_LIMITS.jsonBytes} bytes as JSON), each shaped as the pipeline's extracted record; see docs/http-api.md`,
    },
  },
} as const;

/** POST /runs?wait=true: the request is answered when the run finishes, or after timeoutMs with the run as it is then. */
export const WAIT_LIMITS = { defaultMs: 30_000, maxMs: 120_000 } as const;

export const triggerQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    wait: { type: 'boolean', default: false, description: 'answer when the run has completed or failed (200), or after timeoutMs with the run so far (202)' },
    timeoutMs: { type: 'integer', minimum: 100, maximum: WAIT_LIMITS.maxMs, default: WAIT_LIMITS.defaultMs, description: 'with wait: longest the request is held' },
  },
} as const;

export interface TriggerQuery {
  wait: boolean;
  timeoutMs: number;
}

export interface TriggerBody {
  pipeline: string;
  params?: Record<string, string>;
  runId?: string;
  records?: Record<string, unknown>[];
}

export const triggeredSchema = {
  type: 'object',
  required: ['runId', 'pipeline', 'params', 'requestedAt', 'links'],
  properties: {
    runId: { type: 'string' },
    pipeline: { type: 'string' },
    params: { type: 'object', additionalProperties: { type: 'string' } },
    requestedAt: dateTime,
    links: { type: 'object', properties: { run: { type: 'string' }, events: { type: 'string' } } },
  },
} as const;

export const listRunsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 20 },
    pipeline: { type: 'string', minLength: 1 },
  },
} as const;

export const rerunBodySchema = {
  type: 'object',
  required: ['from'],
  additionalProperties: false,
  properties: {
    from: { type: 'string', enum: ['transform', 'load'], description: 'transform: from the staged extracted chunks; load: from the staged transformed chunks' },
    refreshEnrichment: { type: 'boolean', default: false, description: 'ask enrichment services again instead of reusing the answers staged for this run' },
  },
} as const;

export const rerunResultSchema = {
  type: 'object',
  properties: {
    runId: { type: 'string' },
    from: { type: 'string' },
    generation: { type: 'integer' },
    chunks: { type: 'integer' },
    records: { type: 'integer' },
  },
} as const;
