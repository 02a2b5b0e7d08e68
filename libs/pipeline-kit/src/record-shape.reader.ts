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

type Convert = (value: unknown) => unknown;

/** A value that does not fit its field; the path is filled in on the way out, so the happy path builds no strings. */
class InvalidValue extends Error {
  readonly path: string[] = [];
  constructor(readonly reason: string) {
    super(reason);
  }
  at(segment: string, from?: string): this {
    this.path.unshift(segment);
    if (from !== undefined && this.from === undefined) this.from = from;
    return this;
  }
  from?: string;
}

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
  const read = (row: SourceRow, values: object = NO_VALUES) => {
    try {
      return build(row, values) as RecordOf<S>;
    } catch (err) {
      if (!(err instanceof InvalidValue)) throw err;
      const field = err.path.join('.').replace(/\.\[/g, '[');
      throw new EtlError('VALIDATION_FAILED', `${field}${err.from !== undefined ? ` (source "${err.from}")` : ''} ${err.reason}`, { details: { field } });
    }
  };
  const columns = Object.entries(shape.fields).filter(([name]) => !computed.has(name)).map(([name, spec]) => spec.from ?? name);
  return Object.assign(read, { columns });
}

const NO_VALUES = Object.freeze({});

type Build = (row: SourceRow, values: object) => Record<string, unknown>;

/**
 * One object literal per shape, compiled with `new Function` (as avsc compiles
 * its codecs): the extractor calls this once per source row, and a literal
 * costs what the hand-written mapping did (bench/record-reader.bench.ts).
 * Only JSON-quoted names go into the code; converters are passed in.
 */
function compileRecord(shape: RecordShape, textOf: (value: unknown) => string | null, computed: ReadonlySet<string> = new Set()): Build {
  const entries = Object.entries(shape.fields);
  const converters = entries.map(([name, spec]) => compileField(name, spec, textOf));
  const properties = entries.map(([name, spec], i) => `${JSON.stringify(name)}: ${computed.has(name) ? `values[${JSON.stringify(name)}]` : `convert[${i}](row[${JSON.stringify(spec.from ?? name)}])`}`);
  const literal = new Function('row', 'values', 'convert', `return { ${properties.join(', ')} };`) as (row: SourceRow, values: object, convert: Convert[]) => Record<string, unknown>;
  return (row, values) => literal(row, values, converters);
}

function compileField(name: string, spec: FieldSpec, textOf: (value: unknown) => string | null): Convert {
  if (spec.type === 'text') return textOf;
  const present = compilePresent(spec, textOf);
  const fallback = spec.default !== undefined ? spec.default : spec.nullable ? null : undefined;
  const absent = () => {
    if (fallback === undefined) throw new InvalidValue('is missing');
    return spec.type === 'timestamp-millis' && typeof fallback === 'number' ? new Date(fallback) : fallback;
  };
  return (value) => {
    try {
      return value === undefined || value === null || value === '' ? absent() : present(value);
    } catch (err) {
      throw err instanceof InvalidValue ? err.at(name, spec.from) : err;
    }
  };
}

function compilePresent(spec: FieldSpec, textOf: (value: unknown) => string | null): Convert {
  switch (spec.type) {
    case 'array': {
      const item = compileField('', spec.items, textOf);
      return (value) => {
        if (!Array.isArray(value)) throw new InvalidValue(`${quote(value)} is not an array`);
        return value.map((each, i) => {
          try {
            return item(each);
          } catch (err) {
            // the item's own (empty) segment becomes its index
            if (err instanceof InvalidValue && err.path[0] === '') err.path[0] = `[${i}]`;
            throw err;
          }
        });
      };
    }
    case 'record': {
      const build = compileRecord(spec.shape, textOf);
      return (value) => {
        if (typeof value !== 'object' || Array.isArray(value) || value instanceof Date) throw new InvalidValue(`${quote(value)} is not a record`);
        return build(value as SourceRow, NO_VALUES);
      };
    }
    default:
      return spec.type === 'text' ? textOf : scalarConverter(spec.type);
  }
}

const INT32 = 2 ** 31;

function scalarConverter(type: Exclude<ScalarType, 'text'>): Convert {
  const numeric = (check: (n: number) => boolean, what: string): Convert => (value) => {
    const n = typeof value === 'string' ? (value.trim() === '' ? NaN : Number(value)) : typeof value === 'bigint' ? Number(value) : value;
    if (typeof n !== 'number' || !check(n) || (typeof value === 'bigint' && BigInt(n) !== value)) throw new InvalidValue(`${quote(value)} is not ${what}`);
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
      return (value) => {
        if (typeof value === 'boolean') return value;
        const word = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
        if (word === 'true' || word === 'false') return word === 'true';
        throw new InvalidValue(`${quote(value)} is not true or false`);
      };
    case 'timestamp-millis':
      return (value) => {
        const date = value instanceof Date ? value : typeof value === 'number' || typeof value === 'string' ? new Date(value) : new Date(NaN);
        if (Number.isNaN(date.getTime())) throw new InvalidValue(`${quote(value)} is not a timestamp`);
        return date;
      };
  }
}

const quote = (value: unknown) => (typeof value === 'string' ? `"${value}"` : typeof value === 'bigint' ? `${value}` : JSON.stringify(value) ?? String(value));
