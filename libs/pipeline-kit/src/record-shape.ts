import type { AvroField, AvroRecordSchema } from '@brokered-etl/contracts';

/**
 * A record shape, declared once: its Avro schema (`avroSchemaOf`) and its
 * TypeScript type (`RecordOf`) are derived from it, and `recordReader` builds
 * records from source rows through each field's declared rename (`from`).
 * Shapes are plain data (JSON/YAML round-trip; `parseRecordShape` checks one
 * that arrives as data), so the builders below are only a typed way to write them.
 */

export const SCALAR_TYPES = ['text', 'string', 'int', 'long', 'double', 'boolean', 'timestamp-millis'] as const;
export type ScalarType = (typeof SCALAR_TYPES)[number];

interface FieldBase {
  /** The field's Avro doc. */
  doc?: string;
  /** The source row's key for this field when it differs (spaces, punctuation): `from: 'Flight Number'`. */
  from?: string;
  /** Adds null to the field's type; its default is then null unless `default` says otherwise. */
  nullable?: boolean;
  /** The Avro default: what a reader of an older record sees, and what `recordReader` uses for an absent value. */
  default?: unknown;
}

/** `text` is a source value kept as text, always nullable: a bad value reaches the transformer to be rejected with a reason. */
export interface ScalarField<T extends ScalarType = ScalarType> extends FieldBase {
  type: T;
}
export interface ArrayField<I extends FieldSpec = FieldSpec> extends FieldBase {
  type: 'array';
  items: I;
}
export interface RecordField<S extends RecordShape = RecordShape> extends FieldBase {
  type: 'record';
  shape: S;
}
export type FieldSpec = ScalarField | ArrayField | RecordField;

export interface RecordShape<F extends Readonly<Record<string, FieldSpec>> = Readonly<Record<string, FieldSpec>>> {
  /** The Avro record name; with `namespace` it must be unique within one schema. */
  name: string;
  /** Emitted only when declared: a nested record without one inherits its parent's, as in Avro. */
  namespace?: string;
  doc?: string;
  /** In Avro field order. */
  fields: F;
}

// ---- the TypeScript type of a record -------------------------------------

interface ScalarValues {
  text: string | null;
  string: string;
  int: number;
  long: number;
  double: number;
  boolean: boolean;
  'timestamp-millis': Date;
}

type BaseValueOf<F> = F extends { type: 'array'; items: infer I }
  ? ValueOf<I>[]
  : F extends { type: 'record'; shape: infer S }
    ? RecordOf<S>
    : F extends { type: infer T extends ScalarType }
      ? ScalarValues[T]
      : never;

/** The TypeScript value of one field. */
export type ValueOf<F> = F extends { nullable: true } ? BaseValueOf<F> | null : BaseValueOf<F>;

/** The TypeScript type of a record of this shape. */
export type RecordOf<S> = S extends { fields: infer F }
  ? string extends keyof F
    ? Record<string, unknown> // a shape read from data: its fields are known only at run time
    : { -readonly [K in keyof F]: ValueOf<F[K]> }
  : never;

// ---- builders ------------------------------------------------------------

type Options<V> = Omit<FieldBase, 'default'> & { default?: V };
type Nullable<O> = O extends { nullable: true } ? { nullable: true } : unknown;

function scalar<T extends ScalarType, V>(type: T) {
  return <const O extends Options<V | null>>(options?: O): ScalarField<T> & Nullable<O> => ({ type, ...options }) as ScalarField<T> & Nullable<O>;
}

/** A source value kept as text: `["null","string"]`, default null. Takes `doc` and `from`. */
export const text = (options: Pick<FieldBase, 'doc' | 'from'> = {}): ScalarField<'text'> => ({ type: 'text', ...options });
export const string = scalar<'string', string>('string');
export const int = scalar<'int', number>('int');
export const long = scalar<'long', number>('long');
export const double = scalar<'double', number>('double');
export const boolean = scalar<'boolean', boolean>('boolean');
/** A Date; its Avro default, if any, is epoch milliseconds. */
export const timestampMillis = scalar<'timestamp-millis', number>('timestamp-millis');

export function array<I extends FieldSpec, const O extends Options<unknown[] | null> = object>(items: I, options?: O): ArrayField<I> & Nullable<O> {
  return { type: 'array', items, ...options } as ArrayField<I> & Nullable<O>;
}

/** A nested record field. The same shape may be used by several fields: the second and later ones refer to it by name. */
export function record<S extends RecordShape, const O extends Options<Record<string, unknown> | null> = object>(shape: S, options?: O): RecordField<S> & Nullable<O> {
  return { type: 'record', shape, ...options } as RecordField<S> & Nullable<O>;
}

const AVRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const AVRO_NAMESPACE = /^([A-Za-z_][A-Za-z0-9_]*)(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Declares a record shape; refuses names Avro refuses, pointing a source name with spaces at `from`. */
export function recordShape<const F extends Readonly<Record<string, FieldSpec>>>(shape: RecordShape<F>): RecordShape<F> {
  if (!AVRO_NAME.test(shape.name)) throw new TypeError(`record name "${shape.name}" is not an Avro name ([A-Za-z_][A-Za-z0-9_]*)`);
  if (shape.namespace !== undefined && !AVRO_NAMESPACE.test(shape.namespace)) throw new TypeError(`record ${shape.name}: namespace "${shape.namespace}" is not an Avro namespace`);
  for (const name of Object.keys(shape.fields)) {
    // __proto__ is an Avro name, but as a key it would read and set the prototype
    if (!AVRO_NAME.test(name) || name === '__proto__') {
      throw new TypeError(`record ${shape.name}: field "${name}" is not an Avro name; name it in camelCase and map the source's name with { from: '${name}' }`);
    }
  }
  return shape;
}

// ---- the Avro schema -----------------------------------------------------

const AVRO_SCALARS: Record<ScalarType, unknown> = {
  text: 'string',
  string: 'string',
  int: 'int',
  long: 'long',
  double: 'double',
  boolean: 'boolean',
  'timestamp-millis': { type: 'long', logicalType: 'timestamp-millis' },
};

interface Named {
  shape: RecordShape;
  json: string;
}

/** The Avro record schema of a shape, in field order, as the registry receives it. */
export function avroSchemaOf(shape: RecordShape): AvroRecordSchema {
  return avroRecord(shape, undefined, new Map()) as AvroRecordSchema;
}

function avroRecord(shape: RecordShape, enclosingNamespace: string | undefined, named: Map<string, Named>): AvroRecordSchema | string {
  const namespace = shape.namespace ?? enclosingNamespace;
  const fullName = namespace ? `${namespace}.${shape.name}` : shape.name;
  const seen = named.get(fullName);
  if (seen) {
    if (seen.shape !== shape && seen.json !== JSON.stringify(shape)) throw new TypeError(`two different records are named ${fullName}`);
    return namespace === enclosingNamespace ? shape.name : fullName;
  }
  named.set(fullName, { shape, json: JSON.stringify(shape) });
  const fields = Object.entries(shape.fields).map(([name, spec]) => avroField(name, spec, namespace, named));
  return {
    type: 'record',
    name: shape.name,
    ...(shape.namespace !== undefined && { namespace: shape.namespace }),
    ...(shape.doc !== undefined && { doc: shape.doc }),
    fields,
  };
}

function avroField(name: string, spec: FieldSpec, namespace: string | undefined, named: Map<string, Named>): AvroField {
  const type = avroType(spec, namespace, named);
  const nullable = spec.type === 'text' || spec.nullable === true;
  const fallback = spec.default !== undefined ? spec.default : nullable ? null : undefined;
  // a union's default must match its first branch
  const typed = nullable ? (fallback === null ? ['null', type] : [type, 'null']) : type;
  return {
    name,
    type: typed,
    ...(spec.doc !== undefined && { doc: spec.doc }),
    ...(fallback !== undefined && { default: fallback }),
  };
}

function avroType(spec: FieldSpec, namespace: string | undefined, named: Map<string, Named>): unknown {
  switch (spec.type) {
    case 'array': {
      const items = avroType(spec.items, namespace, named);
      return { type: 'array', items: spec.items.nullable === true || spec.items.type === 'text' ? ['null', items] : items };
    }
    case 'record':
      return avroRecord(spec.shape, namespace, named);
    default:
      return AVRO_SCALARS[spec.type];
  }
}
