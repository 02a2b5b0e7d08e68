import { EtlError } from '@brokered-etl/errors';

/** Where in a pipeline file a problem is: the file as shown to people, the field's path, its line when known. */
export interface DeclarationSite {
  file: string;
  field: string;
  line?: number;
}

/** CONFIG_INVALID reading "pipelines/movies.yaml:12 mapping.released: …": the file and field to fix. */
export function declarationError(site: DeclarationSite, message: string, cause?: unknown): EtlError {
  const at = `${site.file}${site.line !== undefined ? `:${site.line}` : ''}${site.field ? ` ${site.field}` : ''}`;
  return new EtlError('CONFIG_INVALID', `${at}: ${message}`, { cause, details: { ...site } });
}

/** A path as people write it: mapping.released, reject[1].when, transformed.fields.gross.shape.fields.us. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}
