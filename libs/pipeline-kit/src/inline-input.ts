import { createHash } from 'node:crypto';
import type { AvroRecordSchema } from '@brokered-etl/contracts';
import { EtlError } from '@brokered-etl/errors';
import type { PipelineSource, SourcePlan, SourceSplit } from './source-split.types';

/**
 * A run of a pipeline for a few records given with the request instead of its
 * source: the records travel as one run param (JSON text), so they are staged
 * with the run like any param and a rerun or redrive reads them again. Planned
 * as one split; extracted, transformed, enriched and loaded like any other.
 */
export const INLINE_RECORDS_PARAM = 'inlineRecords';

/** Kept small: the records ride in the trigger, the run document and every split message. */
export const INLINE_LIMITS = { records: 100, jsonBytes: 32_768 } as const;

const bad = (message: string) => new EtlError('BAD_PARAMS', `param "${INLINE_RECORDS_PARAM}" ${message}`, { details: { field: INLINE_RECORDS_PARAM } });

/** The run's params without the inline records (what the pipeline's own param declarations are checked against). */
export function withoutInlineRecords(params: Record<string, string>): Record<string, string> {
  const { [INLINE_RECORDS_PARAM]: _inline, ...rest } = params;
  return rest;
}

/**
 * The inline records of a run's params, each checked against the pipeline's
 * extracted record schema (an absent field takes its Avro default); undefined
 * when the run reads its source. Throws BAD_PARAMS naming the first fault.
 */
export function parseInlineRecords(extractedRecord: AvroRecordSchema, params: Record<string, string>): Record<string, unknown>[] | undefined {
  const text = params[INLINE_RECORDS_PARAM];
  if (text === undefined) return undefined;
  if (Buffer.byteLength(text) > INLINE_LIMITS.jsonBytes) throw bad(`is larger than ${INLINE_LIMITS.jsonBytes} bytes of JSON`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw bad(`is not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > INLINE_LIMITS.records) throw bad(`must be a JSON array of 1 to ${INLINE_LIMITS.records} records`);
  const fields = extractedRecord.fields;
  return parsed.map((value, index) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad(`record ${index} is not an object`);
    const record: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const unknown = Object.keys(record).find((name) => !fields.some((f) => f.name === name));
    if (unknown) throw bad(`record ${index} has no field "${unknown}" in ${extractedRecord.name}; its fields: ${fields.map((f) => f.name).join(', ')}`);
    for (const field of fields) if (record[field.name] === undefined && 'default' in field) record[field.name] = field.default;
    const faults = fields.filter((field) => !fitsAvroType(field.type, record[field.name])).map((field) => field.name);
    if (faults.length) throw bad(`record ${index} does not fit ${extractedRecord.name}: bad or missing ${faults.join(', ')}`);
    return record;
  });
}

/** The pipeline's source, or for a run with inline records: those records as one split. */
export function sourceForRun<Raw>(source: PipelineSource<Raw>, extractedRecord: AvroRecordSchema): PipelineSource<Raw> {
  return {
    async plan(params, options) {
      const records = parseInlineRecords(extractedRecord, params);
      if (!records) return source.plan(params, options);
      const split: SourceSplit = { splitSeq: 0, firstRecordIndex: 0, recordCount: records.length, range: { unit: 'rows', start: 0, end: records.length } };
      const fingerprint = fingerprintOf(params[INLINE_RECORDS_PARAM]);
      // the records are the source: the same records sent again land on the same documents, other records never on these
      const plan: SourcePlan = { fingerprint, sourceId: fingerprint, totalRecords: records.length, splits: [split] };
      return plan;
    },
    read(params, split, fingerprint, context) {
      const records = parseInlineRecords(extractedRecord, params);
      if (!records) return source.read(params, split, fingerprint, context);
      if (fingerprint !== fingerprintOf(params[INLINE_RECORDS_PARAM])) throw new EtlError('SOURCE_CHANGED', 'the inline records are not the ones planned');
      return (async function* () {
        yield* records.slice(split.range.start, split.range.end) as Raw[];
      })();
    },
  };
}

/**
 * Whether a JSON value can stand for a value of this Avro type: the shapes
 * pipelines extract (primitives, nullable unions, arrays, nested records,
 * timestamps as epoch milliseconds). The extractor's encoding stays the last word.
 */
function fitsAvroType(type: unknown, value: unknown): boolean {
  if (Array.isArray(type)) return type.some((branch) => fitsAvroType(branch, value));
  if (typeof type === 'object' && type !== null) {
    const complex = type as { type: unknown; items?: unknown; fields?: AvroRecordSchema['fields']; symbols?: string[] };
    switch (complex.type) {
      case 'array':
        return Array.isArray(value) && value.every((item) => fitsAvroType(complex.items, item));
      case 'record':
        return typeof value === 'object' && value !== null && !Array.isArray(value) && (complex.fields ?? []).every((f) => fitsAvroType(f.type, (value as Record<string, unknown>)[f.name] ?? f.default));
      case 'enum':
        return typeof value === 'string' && (complex.symbols ?? []).includes(value);
      default:
        return fitsAvroType(complex.type, value);
    }
  }
  switch (type) {
    case 'null':
      return value === null;
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'int':
      return Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31;
    case 'long':
      return Number.isSafeInteger(value);
    case 'float':
    case 'double':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return false;
  }
}

const fingerprintOf = (text: string) => `inline:${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
