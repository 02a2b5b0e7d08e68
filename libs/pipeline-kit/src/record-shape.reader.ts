import { EtlError } from '@brokered-etl/errors';
import type { FieldSpec, RecordOf, RecordShape, ScalarType } from './record-shape';

export type SourceRow = Readonly<Record<string, unknown>>;

export interface RecordReaderOptions<K extends string> {
  /** Fields the pipeline sets itself (e.g. `sourceIndex`), passed beside the row instead of read from it. */
  computed?: readonly K[];
  /** How a source value becomes text for `text` fields; the default is `sourceText`. */
  text?: (value: unknown) => string | null;
}

// none: no argument; names known only at run time (a shape read from a file): optional; otherwise exactly those fields
type ComputedArg<S extends RecordShape, K extends string> = [K] extends [never]
  ? []
  : string extends K
    ? [computed?: Record<string, unknown>]
    : [computed: Pick<RecordOf<S>, K & keyof RecordOf<S>>];

/** Builds one record from one source row; `columns` are the source names it reads, for `fileSource`'s `expectedColumns`. */
export interface RecordReader<S extends RecordShape, K extends string> {
  (row: SourceRow, ...computed: ComputedArg<S, K>): RecordOf<S>;
  readonly columns: string[];
}

/** A source value as text: absent, null and '' are null; a Date is ISO 8601; an object is JSON. */
export function sourceText(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

type Convert = (value: unknown, path: string) => unknown;

/**
 * Compiles, once, a function from a source row to a record of `shape`: each
 * field is read from `row[from ?? name]`. A `text` field never fails (it is
 * the extractor's job to pass bad values on); a typed field whose value does
 * not fit throws VALIDATION_FAILED naming the field, and an absent value takes
 * the field's default, or null when nullable, or fails the same way.
 */
export function recordReader<S extends RecordShape, K extends string = never>(shape: S, options: RecordReaderOptions<K> = {}): RecordReader<S, K> {
  const computed = new Set<string>(options.computed ?? []);
  for (const name of computed) if (!(name in shape.fields)) throw new TypeError(`record ${shape.name} has no field "${name}" to compute`);
  const build = compileRecord(shape, options.text ?? sourceText, computed);
  const read = (row: SourceRow, values?: object) => build(row, '', values) as RecordOf<S>;
  const columns = Object.entries(shape.fields).filter(([name]) => !computed.has(name)).map(([name, spec]) => spec.from ?? name);
  return Object.assign(read, { columns });
}

function compileRecord(shape: RecordShape, textOf: (value: unknown) => string | null, computed: ReadonlySet<string> = new Set()) {
  const fields = Object.entries(shape.fields).map(([name, spec]) => ({
    name,
    key: spec.from ?? name,
    isComputed: computed.has(name),
    convert: compileField(spec, textOf),
  }));
  return (row: SourceRow, path: string, values: object = {}): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const field of fields) {
      out[field.name] = field.isComputed ? (values as Record<string, unknown>)[field.name] : field.convert(row[field.key], path ? `${path}.${field.name}` : field.name);
    }
    return out;
  };
}

function compileField(spec: FieldSpec, textOf: (value: unknown) => string | null): Convert {
  if (spec.type === 'text') return (value) => textOf(value);
  const present = compilePresent(spec, textOf);
  const fallback = spec.default !== undefined ? spec.default : spec.nullable ? null : undefined;
  const absent = (path: string) => {
    if (fallback === undefined) throw invalid(path, spec.from, 'is missing');
    return spec.type === 'timestamp-millis' && typeof fallback === 'number' ? new Date(fallback) : fallback;
  };
  return (value, path) => (value === undefined || value === null || value === '' ? absent(path) : present(value, path));
}

function compilePresent(spec: FieldSpec, textOf: (value: unknown) => string | null): Convert {
  switch (spec.type) {
    case 'array': {
      const item = compileField(spec.items, textOf);
      return (value, path) => {
        if (!Array.isArray(value)) throw invalid(path, spec.from, `${quote(value)} is not an array`);
        return value.map((each, i) => item(each, `${path}[${i}]`));
      };
    }
    case 'record': {
      const build = compileRecord(spec.shape, textOf);
      return (value, path) => {
        if (typeof value !== 'object' || Array.isArray(value) || value instanceof Date) throw invalid(path, spec.from, `${quote(value)} is not a record`);
        return build(value as SourceRow, path);
      };
    }
    default:
      return spec.type === 'text' ? textOf : scalarConverter(spec.type, spec.from);
  }
}

const INT32 = 2 ** 31;

function scalarConverter(type: Exclude<ScalarType, 'text'>, from: string | undefined): Convert {
  const numeric = (check: (n: number) => boolean, what: string): Convert => (value, path) => {
    const n = typeof value === 'string' ? (value.trim() === '' ? NaN : Number(value)) : typeof value === 'bigint' ? Number(value) : value;
    if (typeof n !== 'number' || !check(n) || (typeof value === 'bigint' && BigInt(n) !== value)) throw invalid(path, from, `${quote(value)} is not ${what}`);
    return n;
  };
  switch (type) {
    case 'string':
      return (value) => (value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value));
    case 'int':
      return numeric((n) => Number.isInteger(n) && n >= -INT32 && n < INT32, 'an int (32-bit integer)');
    case 'long':
      return numeric(Number.isSafeInteger, 'a long (safe integer)');
    case 'double':
      return numeric(Number.isFinite, 'a number');
    case 'boolean':
      return (value, path) => {
        if (typeof value === 'boolean') return value;
        const word = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
        if (word === 'true' || word === 'false') return word === 'true';
        throw invalid(path, from, `${quote(value)} is not true or false`);
      };
    case 'timestamp-millis':
      return (value, path) => {
        const date = value instanceof Date ? value : typeof value === 'number' || typeof value === 'string' ? new Date(value) : new Date(NaN);
        if (Number.isNaN(date.getTime())) throw invalid(path, from, `${quote(value)} is not a timestamp`);
        return date;
      };
  }
}

const quote = (value: unknown) => (typeof value === 'string' ? `"${value}"` : typeof value === 'bigint' ? `${value}` : JSON.stringify(value) ?? String(value));

function invalid(path: string, from: string | undefined, reason: string): EtlError {
  return new EtlError('VALIDATION_FAILED', `${path}${from ? ` (source "${from}")` : ''} ${reason}`, { details: { field: path } });
}
