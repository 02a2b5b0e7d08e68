import { createReadStream, statSync } from 'node:fs';
import { extname } from 'node:path';
import { EtlError } from '@brokered-etl/errors';
import { readCsv } from './csv.source';
import { readJsonArray } from './json.source';
import { readParquet } from './parquet.source';
import { confinePath, defaultSourceRoots } from './source-roots';

export { vegaDataDir } from './source-roots';

export type FileFormat = 'json' | 'csv' | 'parquet';

/**
 * A source file param → its real path inside the roots (see confinePath for
 * how names resolve). Outside the roots is BAD_PARAMS; inside but missing, or
 * not a regular file, is SOURCE_NOT_FOUND: the file may come later, and a
 * redrive then retries the run.
 */
export function resolveSourcePath(source: string, roots: readonly string[] = defaultSourceRoots(), param = 'source'): string {
  if (!source) throw new EtlError('BAD_PARAMS', `param "${param}" is required (a file in the source roots, or a vega-datasets file name such as flights-20k.json)`, { details: { field: param } });
  const { path, exists } = confinePath(param, source, roots);
  if (!exists || !statSync(path).isFile()) {
    throw new EtlError('SOURCE_NOT_FOUND', `source file "${source}" not found (looked for ${path})`, { details: { source, path, field: param } });
  }
  return path;
}

export function formatOf(path: string, declared?: string): FileFormat {
  const format = (declared || extname(path).slice(1)).toLowerCase();
  if (format === 'json' || format === 'csv' || format === 'parquet') return format;
  throw new EtlError('BAD_PARAMS', `cannot read "${path}": format "${format}" is not json, csv or parquet (set param format=...)`);
}

/** Streams records of a JSON-array, CSV or Parquet file; never the whole file in memory. */
export function readFileRecords(path: string, format: FileFormat): AsyncIterable<Record<string, unknown>> {
  switch (format) {
    case 'json':
      return readJsonArray(createReadStream(path), path);
    case 'csv':
      return readCsv(createReadStream(path), path);
    case 'parquet':
      return readParquet(path);
  }
}
