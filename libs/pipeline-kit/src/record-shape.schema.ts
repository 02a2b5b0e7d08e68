import { z } from 'zod';
import { EtlError } from '@brokered-etl/errors';
import { recordShape, type FieldSpec, type RecordShape } from './record-shape';

/**
 * A record shape that arrives as data (a YAML or JSON pipeline), checked
 * field by field: what the builders in record-shape.ts guarantee by type.
 */
const base = { doc: z.string().optional(), from: z.string().min(1).optional(), nullable: z.boolean().optional() };

const scalar = <T extends string, D extends z.ZodType>(type: T, value: D) => z.strictObject({ type: z.literal(type), ...base, default: value.nullable().optional() });

const fieldSchema: z.ZodType<FieldSpec> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('text'), doc: base.doc, from: base.from }),
    scalar('string', z.string()),
    scalar('int', z.int32()),
    scalar('long', z.int()),
    scalar('double', z.number()),
    scalar('boolean', z.boolean()),
    scalar('timestamp-millis', z.int()),
    z.strictObject({ type: z.literal('array'), ...base, default: z.array(z.unknown()).nullable().optional(), items: fieldSchema }),
    z.strictObject({ type: z.literal('record'), ...base, default: z.record(z.string(), z.unknown()).nullable().optional(), shape: shapeSchema }),
  ]),
) as z.ZodType<FieldSpec>;

const shapeSchema: z.ZodType<RecordShape> = z.lazy(() =>
  z.strictObject({
    name: z.string(),
    namespace: z.string().optional(),
    doc: z.string().optional(),
    fields: z.record(z.string(), fieldSchema).refine((fields) => Object.keys(fields).length > 0, 'a record needs at least one field'),
  }),
);

/** Checks a shape given as data; CONFIG_INVALID names the first wrong path (e.g. `fields.origin.shape.fields.lat.type`). */
export function parseRecordShape(data: unknown, where = 'record shape'): RecordShape {
  const parsed = shapeSchema.safeParse(data);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const path = issue?.path.join('.') ?? '';
    throw new EtlError('CONFIG_INVALID', `${where}: ${path || '(root)'}: ${issue?.message ?? 'not a record shape'}`, { details: { field: path } });
  }
  try {
    checkNames(parsed.data);
  } catch (cause) {
    throw new EtlError('CONFIG_INVALID', `${where}: ${(cause as Error).message}`, { cause });
  }
  return parsed.data;
}

function checkNames(shape: RecordShape): void {
  recordShape(shape);
  const visit = (spec: FieldSpec): void => {
    if (spec.type === 'record') checkNames(spec.shape);
    if (spec.type === 'array') visit(spec.items);
  };
  Object.values(shape.fields).forEach(visit);
}
