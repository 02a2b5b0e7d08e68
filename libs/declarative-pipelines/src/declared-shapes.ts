import { isEtlError } from '@brokered-etl/errors';
import { parseRecordShape, type FieldSpec, type RecordShape } from '@brokered-etl/pipeline-kit';
import { declarationError } from './declaration-error';
import type { ParsedPipelineFile } from './pipeline-file.reader';

type Section = 'extracted' | 'transformed';

/**
 * A record shape written in a pipeline file: pipeline-kit's RecordShape as
 * data, with two shorthands so a file stays short: `title: string` for
 * `{ type: string }`, and, in `extracted`, a field without a type is `text`
 * (extracted records stay text, so a bad value reaches the transformer).
 */
export function declaredShape(parsed: ParsedPipelineFile, section: Section, data: unknown, namespace: string): RecordShape {
  const expanded = expandShape(data, section === 'extracted' ? 'text' : undefined);
  const withNamespace = isObject(expanded) && expanded['namespace'] === undefined ? { ...expanded, namespace } : expanded;
  try {
    return parseRecordShape(withNamespace, section);
  } catch (err) {
    if (!isEtlError(err)) throw err;
    const field = typeof err.details?.['field'] === 'string' ? err.details['field'] : '';
    const path = [section, ...(field ? field.split('.') : [])];
    throw declarationError({ file: parsed.file, field: '', line: parsed.lineOf(path) }, err.message, err);
  }
}

function expandShape(data: unknown, defaultType: string | undefined): unknown {
  if (!isObject(data) || !isObject(data['fields'])) return data;
  const fields = Object.fromEntries(Object.entries(data['fields']).map(([name, spec]) => [name, expandField(spec, defaultType)]));
  return { ...data, fields };
}

function expandField(spec: unknown, defaultType: string | undefined): unknown {
  if (typeof spec === 'string') return { type: spec };
  if (!isObject(spec)) return spec;
  const typed = spec['type'] === undefined && defaultType ? { ...spec, type: defaultType } : spec;
  if (typed['type'] === 'array') return { ...typed, items: expandField(typed['items'], defaultType) };
  if (typed['type'] === 'record') return { ...typed, shape: expandShape(typed['shape'], defaultType) };
  return typed;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Field names that carry a `from` anywhere in a shape (a transformed record is built by `mapping`, not renamed). */
export function renamedFields(shape: RecordShape, prefix = ''): string[] {
  return Object.entries(shape.fields).flatMap(([name, spec]: [string, FieldSpec]) => {
    const path = `${prefix}${name}`;
    const own = spec.from !== undefined ? [path] : [];
    if (spec.type === 'record') return [...own, ...renamedFields(spec.shape, `${path}.shape.fields.`)];
    if (spec.type === 'array' && spec.items.type === 'record') return [...own, ...renamedFields(spec.items.shape, `${path}.items.shape.fields.`)];
    return own;
  });
}
