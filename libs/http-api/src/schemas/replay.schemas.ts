import { STAGES } from './dlq.schemas';

/** The CLI's `etl replay` options as a body: exactly one to*|byDuration target. */
export const replayBodySchema = {
  type: 'object',
  required: ['stage'],
  additionalProperties: false,
  properties: {
    stage: { type: 'string', enum: STAGES, description: 'the stage whose input to replay' },
    toEarliest: { type: 'boolean', description: 'from the oldest retained message' },
    toLatest: { type: 'boolean', description: 'skip to the end (nothing is reprocessed)' },
    toDatetime: { type: 'string', description: 'ISO date-time: from the first message at or after it' },
    toOffset: { type: ['string', 'integer'], pattern: '^[0-9]+$', minimum: 0, description: 'from this offset (with partition: on that partition only); a string keeps 64-bit offsets exact' },
    partition: { type: 'integer', minimum: 0, description: 'with toOffset: the partition' },
    byDuration: { type: 'string', description: 'ISO-8601 duration back from now, e.g. PT1H' },
    dryRun: { type: 'boolean', default: false, description: 'return the plan, change nothing (works while workers run)' },
  },
} as const;

export interface ReplayBody {
  stage: (typeof STAGES)[number];
  toEarliest?: boolean;
  toLatest?: boolean;
  toDatetime?: string;
  toOffset?: string | number;
  partition?: number;
  byDuration?: string;
  dryRun?: boolean;
}

export const replayResultSchema = {
  type: 'object',
  properties: {
    groupId: { type: 'string' },
    topics: { type: 'array', items: { type: 'string' } },
    applied: { type: 'boolean' },
    reprocess: { type: 'integer', description: 'messages that will be processed again' },
    activeMembers: { type: 'array', items: { type: 'object', properties: { clientId: { type: 'string' }, clientHost: { type: 'string' } } } },
    plan: {
      type: 'array',
      items: {
        type: 'object',
        properties: { topic: { type: 'string' }, partition: { type: 'integer' }, current: { type: 'string' }, next: { type: 'string' }, reprocess: { type: 'integer' } },
      },
    },
  },
} as const;
