import { basename } from 'node:path';
import { EtlError } from '@brokered-etl/errors';
import type { RecordReader, RecordShape, TransformContext } from '@brokered-etl/pipeline-kit';
import type { CompiledExpression } from './expressions';

export interface DeclaredMapping {
  field: string;
  expression: CompiledExpression;
  /** An array field: JSONata gives a single value for a one-item sequence, so it is wrapped back into an array. */
  isArray: boolean;
}

export interface DeclaredRule {
  /** Evaluated through $boolean(): JSONata's own truthiness, not one of ours; `source` is the rule as written. */
  when: CompiledExpression;
  reason: CompiledExpression;
  /** "reject[2]", for a reason that cannot be evaluated. */
  name: string;
}

export interface DeclaredTransformParts {
  /** The file a run reads when it names none: `$sourceId`'s fallback, by basename, for a run planned before sources had an identity. */
  defaultSource?: string;
  mapping: DeclaredMapping[];
  rejects: DeclaredRule[];
  key: CompiledExpression;
  /** Types and checks the mapped record against the transformed shape (VALIDATION_FAILED naming the field). */
  typed: RecordReader<RecordShape, never>;
}

/** The longest _id a declared key may give: far below any index key limit, long enough for any natural key. */
export const MAX_KEY_LENGTH = 512;

export type DeclaredRecord = Record<string, unknown> & { _id: string };

const reject = (reason: string, details: Record<string, unknown>) => new EtlError('VALIDATION_FAILED', reason, { details });

/**
 * One record through a declaration: each output field's mapping over the
 * extracted record, then the reject rules in order over the mapped record,
 * then the types of the transformed shape, then the key. Whatever goes wrong
 * for this record (an expression that fails on its values, a rule that
 * matches, a value of the wrong type, no key) rejects it alone with a reason.
 */
export function declaredTransform(parts: DeclaredTransformParts) {
  return async (raw: Record<string, unknown>, context: TransformContext): Promise<DeclaredRecord> => {
    // $sourceId: the planned source's identity (2024/readings.json), for position keys that must not collide across files;
    // a run planned before sources had one keys by the file's basename, as flights does
    const sourceId = context.source?.id ?? basename(context.params['source'] || parts.defaultSource || '');
    const bindings = { source: raw, params: context.params, runId: context.runId, sourceId };
    const mapped: Record<string, unknown> = {};
    for (const { field, expression, isArray } of parts.mapping) {
      let value: unknown;
      try {
        value = await expression.evaluate(raw, bindings);
      } catch (err) {
        throw reject(`${field}: ${(err as Error).message} (mapping ${expression.source})`, { field });
      }
      mapped[field] = value === undefined ? null : isArray && value !== null && !Array.isArray(value) ? [value] : value;
    }
    for (const rule of parts.rejects) {
      if ((await evaluateRule(rule, mapped, bindings)) === true) throw reject(await reasonOf(rule, mapped, bindings), { rule: rule.name });
    }
    const typed = parts.typed(mapped);
    return { _id: await keyOf(parts.key, mapped, bindings), ...typed };
  };
}

async function evaluateRule(rule: DeclaredRule, mapped: Record<string, unknown>, bindings: Record<string, unknown>): Promise<unknown> {
  try {
    return await rule.when.evaluate(mapped, bindings);
  } catch (err) {
    throw reject(`${rule.name}.when failed on this record: ${(err as Error).message}`, { rule: rule.name });
  }
}

async function reasonOf(rule: DeclaredRule, mapped: Record<string, unknown>, bindings: Record<string, unknown>): Promise<string> {
  try {
    const reason = await rule.reason.evaluate(mapped, bindings);
    if (typeof reason === 'string' && reason.trim()) return reason;
    if (reason !== undefined && reason !== null && typeof reason !== 'object') return String(reason);
  } catch {
    // the rule matched: the record is rejected either way, with the rule's own words if its reason cannot be built
  }
  return `${rule.name}: ${rule.when.source}`;
}

async function keyOf(key: CompiledExpression, mapped: Record<string, unknown>, bindings: Record<string, unknown>): Promise<string> {
  let value: unknown;
  try {
    value = await key.evaluate(mapped, bindings);
  } catch (err) {
    throw reject(`target.key failed on this record: ${(err as Error).message}`, { field: '_id' });
  }
  const id = typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
  if (id === undefined || id === '') throw reject(`target.key gave ${value === undefined ? 'nothing' : JSON.stringify(value)} for this record, not a text or a number`, { field: '_id' });
  if (id.length > MAX_KEY_LENGTH) throw reject(`target.key gave a key of ${id.length} characters (at most ${MAX_KEY_LENGTH})`, { field: '_id' });
  return id;
}
