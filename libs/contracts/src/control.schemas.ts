import type { AvroRecordSchema } from './avro.types';

const NS = 'io.brokeredetl.control';

export const runRequestedSchema: AvroRecordSchema = {
  type: 'record',
  name: 'RunRequested',
  namespace: NS,
  doc: 'Starts a run of one pipeline. Sent by the CLI, the HTTP API or the scheduler.',
  fields: [
    { name: 'runId', type: 'string' },
    { name: 'pipeline', type: 'string' },
    { name: 'params', type: { type: 'map', values: 'string' }, default: {} },
    { name: 'requestedAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'requestedBy', type: 'string', default: 'unknown' },
  ],
};

export const extractSplitSchema: AvroRecordSchema = {
  type: 'record',
  name: 'ExtractSplit',
  namespace: NS,
  doc: 'One planned piece of a run\'s source (ADR 0004): a row range (Parquet) or a byte range on record boundaries (JSON, CSV).',
  fields: [
    { name: 'runId', type: 'string' },
    { name: 'pipeline', type: 'string' },
    { name: 'splitSeq', type: 'int' },
    { name: 'splitCount', type: 'int' },
    { name: 'firstRecordIndex', type: 'long', doc: 'source position of the split\'s first record' },
    { name: 'recordCount', type: 'long' },
    { name: 'rangeUnit', type: 'string', doc: 'rows | bytes' },
    { name: 'rangeStart', type: 'long' },
    { name: 'rangeEnd', type: 'long', doc: 'exclusive' },
    { name: 'fingerprint', type: 'string', doc: 'the planned content, e.g. size:mtimeMs' },
    { name: 'params', type: { type: 'map', values: 'string' }, default: {} },
  ],
};

export const runEventSchema: AvroRecordSchema = {
  type: 'record',
  name: 'RunEvent',
  namespace: NS,
  doc: 'Progress of a run, emitted by every stage.',
  fields: [
    { name: 'runId', type: 'string' },
    { name: 'pipeline', type: 'string' },
    { name: 'stage', type: 'string' },
    { name: 'type', type: 'string', doc: 'run.started | chunk.extracted | chunk.transformed | chunk.loaded | split.extracted | source.ended | run.completed | run.failed | run.stalled' },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'chunkSeq', type: ['null', 'int'], default: null },
    { name: 'records', type: ['null', 'long'], default: null },
    { name: 'rejected', type: ['null', 'long'], default: null },
    { name: 'message', type: ['null', 'string'], default: null },
  ],
};

const header: AvroRecordSchema = {
  type: 'record',
  name: 'Header',
  namespace: NS,
  fields: [
    { name: 'key', type: 'string' },
    { name: 'value', type: ['null', 'bytes'], default: null },
  ],
};

export const deadLetterSchema: AvroRecordSchema = {
  type: 'record',
  name: 'DeadLetter',
  namespace: NS,
  doc: 'A message (or one record of a chunk) a stage could not process, with enough to redrive it unchanged.',
  fields: [
    { name: 'id', type: 'string', doc: 'deterministic: the same failure dead-lettered twice has the same id' },
    { name: 'runId', type: ['null', 'string'], default: null },
    { name: 'pipeline', type: ['null', 'string'], default: null },
    { name: 'stage', type: 'string' },
    { name: 'errorCode', type: 'string' },
    { name: 'errorMessage', type: 'string' },
    { name: 'attempts', type: 'int' },
    { name: 'failedAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'topic', type: 'string' },
    { name: 'partition', type: 'int' },
    { name: 'offset', type: 'string' },
    { name: 'key', type: ['null', 'bytes'], default: null },
    { name: 'value', type: ['null', 'bytes'], default: null, doc: 'original bytes, or for a rejected record a one-record chunk to redrive' },
    { name: 'headers', type: { type: 'array', items: header }, default: [] },
    { name: 'chunkSeq', type: ['null', 'int'], default: null },
    { name: 'recordIndex', type: ['null', 'int'], default: null },
    { name: 'record', type: ['null', 'string'], default: null, doc: 'the rejected record as JSON, for people' },
  ],
};

/** Wraps a pipeline's record schema into the chunk message of a data topic. */
export function chunkSchema(name: string, namespace: string, record: AvroRecordSchema): AvroRecordSchema {
  return {
    type: 'record',
    name,
    namespace,
    doc: 'A bounded chunk of one run\'s records; runId + chunkSeq identify it.',
    fields: [
      { name: 'runId', type: 'string' },
      { name: 'pipeline', type: 'string' },
      { name: 'chunkSeq', type: 'int' },
      { name: 'firstRecordIndex', type: 'long', doc: 'source position of records[0]' },
      { name: 'records', type: { type: 'array', items: record } },
    ],
  };
}
