import { createHash } from 'node:crypto';
import {
  avroSchemaOf,
  fileSource,
  fileSourceParams,
  recordReader,
  recordShape,
  string,
  type AnyPipeline,
  type ParamSpecs,
  type PipelineSource,
  type RecordShape,
} from '@brokered-etl/pipeline-kit';
import { declarationError, fieldPath } from './declaration-error';
import { declaredShape, renamedFields } from './declared-shapes';
import { declaredTransform, type DeclaredMapping, type DeclaredRule } from './declared-transform';
import { compileExpression, type CompileOptions } from './expressions';
import type { ParsedPipelineFile } from './pipeline-file.reader';
import { pipelineFileSchema, type PipelineFile } from './pipeline-file.schema';

/** A pipeline built from a file, with the file it came from (for messages and `etl pipelines`). */
export type DeclaredPipeline = AnyPipeline & { declaredIn: string };

/**
 * A pipeline file → the same PipelineDefinition a code pipeline is, so it gets
 * the same runs, accounting, reruns, replays and dead letters. Everything is
 * checked here, at load: the file's structure (zod), its record shapes, every
 * expression (JSONata syntax, and the fields it starts from), the mapping
 * against the shapes. Throws CONFIG_INVALID naming the file, line and field.
 */
export function buildDeclaredPipeline(parsed: ParsedPipelineFile): DeclaredPipeline {
  const site = (path: readonly PropertyKey[]) => ({ file: parsed.file, field: fieldPath(path), line: parsed.lineOf(path) });
  const checked = pipelineFileSchema.safeParse(parsed.data);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    // an unknown key: the line of the key itself, not of the map it is in
    const line = parsed.lineOf(issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path);
    const message = issue.code === 'invalid_type' && /received undefined$/.test(issue.message) ? 'is required' : issue.message;
    throw declarationError({ ...site(issue.path), line }, message);
  }
  const file = checked.data;
  const namespace = `io.brokeredetl.${file.name.replace(/-/g, '_')}`;
  const extracted = declaredShape(parsed, 'extracted', file.extracted, namespace);
  const transformed = declaredShape(parsed, 'transformed', file.transformed, namespace);
  const [renamed] = renamedFields(transformed);
  if (renamed !== undefined) throw declarationError(site(['transformed', 'fields', ...renamed.split('.')]), '`from` renames source columns, in `extracted`; a transformed field gets its value from `mapping`');
  if ('_id' in transformed.fields) throw declarationError(site(['transformed', 'fields', '_id']), '_id is the document key: set it with target.key');

  const positionField = checkPositionField(file, extracted, site);
  const compile = (path: readonly PropertyKey[], source: string, options: CompileOptions) => compileExpression(source, site(path), options);
  const onExtracted: CompileOptions = { fields: Object.keys(extracted.fields), inputName: `the extracted record ${extracted.name}` };
  const onMapped: CompileOptions = { fields: Object.keys(transformed.fields), inputName: `the mapped record ${transformed.name}` };

  const mapping = mappingOf(file, extracted, transformed, site, (path, source) => compile(path, source, onExtracted));
  const rejects: DeclaredRule[] = file.reject.map((rule, i) => {
    compile(['reject', i, 'when'], rule.when, onMapped);
    // JSONata's own truthiness decides, through $boolean: a rule gives true, false, a value or nothing
    const when = { ...compile(['reject', i, 'when'], `$boolean((${rule.when}))`, {}), source: rule.when };
    return { name: `reject[${i}]`, when, reason: compile(['reject', i, 'reason'], rule.reason, { ...onMapped, textHint: true }) };
  });
  const key = compile(['target', 'key'], file.target.key, onMapped);

  const reader = recordReader(extracted, { computed: positionField ? [positionField] : [] });
  const transform = declaredTransform({ mapping, rejects, key, typed: recordReader(transformed), defaultSource: file.source.file });
  return {
    name: file.name,
    description: file.description,
    declaredIn: parsed.file,
    // the declaration is the code: an edited file makes reloads of unchanged input transform again
    version: createHash('sha256').update(JSON.stringify(parsed.data)).digest('base64url').slice(0, 22),
    params: paramsOf(file),
    extractedRecord: avroSchemaOf(extracted),
    transformedRecord: avroSchemaOf(withKeyField(transformed)),
    ...(file.chunkLimits && { chunkLimits: file.chunkLimits }),
    source: declaredSource(file, reader.columns, (row, sourceIndex) => (positionField ? reader(row, { [positionField]: sourceIndex }) : reader(row))),
    createTransform: async () => transform,
    target: {
      collection: file.target.collection,
      // the transformer computed the key (JSONata is asynchronous; this must not be)
      documentOf: (out: { _id: string }) => out,
    },
  };
}

type Site = (path: readonly PropertyKey[]) => { file: string; field: string; line?: number };

function checkPositionField(file: PipelineFile, extracted: RecordShape, site: Site): string | undefined {
  const name = file.source.positionField;
  if (name === undefined) return undefined;
  const spec = extracted.fields[name];
  if (!spec || spec.type !== 'long' || spec.from !== undefined) {
    throw declarationError(site(['source', 'positionField']), `"${name}" must be a field of the extracted record of type long, without from (it receives the record's position in the file)`);
  }
  return name;
}

/** Every transformed field gets a mapping: its own, or the extracted field of the same name, or nothing when it may be null or has a default. */
function mappingOf(file: PipelineFile, extracted: RecordShape, transformed: RecordShape, site: Site, compile: (path: readonly PropertyKey[], source: string) => DeclaredMapping['expression']): DeclaredMapping[] {
  for (const field of Object.keys(file.mapping)) {
    if (!(field in transformed.fields)) throw declarationError(site(['mapping', field]), `"${field}" is not a field of the transformed record ${transformed.name} (it has: ${Object.keys(transformed.fields).join(', ')})`);
  }
  return Object.entries(transformed.fields).flatMap(([field, spec]) => {
    const declared = file.mapping[field];
    const isArray = spec.type === 'array';
    if (declared !== undefined) return [{ field, expression: compile(['mapping', field], declared), isArray }];
    if (field in extracted.fields) return [{ field, expression: compile(['transformed', 'fields', field], `\`${field}\``), isArray }];
    if (spec.nullable || spec.default !== undefined) return [];
    throw declarationError(site(['transformed', 'fields', field]), `has no mapping, and the extracted record has no field "${field}" to take: add mapping.${field}`);
  });
}

function paramsOf(file: PipelineFile): ParamSpecs {
  const own = fileSourceParams(file.source.file, file.source.help ?? `the file to read (${file.source.format ?? 'json, csv or parquet'}), inside the source roots`);
  const format = file.source.format ? { ...own.format, default: file.source.format } : own.format;
  return { ...own, format, ...file.params };
}

/** A file source whose format, when the file declares one, is the default for runs that name none. */
function declaredSource(file: PipelineFile, columns: string[], toRecord: (row: Record<string, unknown>, sourceIndex: number) => Record<string, unknown>): PipelineSource<Record<string, unknown>> {
  const inner = fileSource({ defaultSource: file.source.file, expectedColumns: columns, toRecord });
  const declaredFormat = file.source.format;
  const withFormat = (params: Record<string, string>) => (declaredFormat && !params['format'] ? { ...params, format: declaredFormat } : params);
  return {
    plan: (params, options) => inner.plan(withFormat(params), options),
    read: (params, split, fingerprint, context) => inner.read(withFormat(params), split, fingerprint, context),
  };
}

/** The transformed record on the topic carries its key, computed by the transformer, as its first field. */
function withKeyField(shape: RecordShape): RecordShape {
  return recordShape({ ...shape, fields: { _id: string({ doc: 'the target document key (target.key)' }), ...shape.fields } });
}
