import { createReadStream, existsSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { EtlError } from '@brokered-etl/errors';
import { readCsv } from './csv.source';
import { readJsonArray } from './json.source';
import { readParquet } from './parquet.source';

export type FileFormat = 'json' | 'csv' | 'parquet';

/** The folder of vega-datasets' data files: a bare file name like "flights-20k.json" resolves there. */
export function vegaDataDir(): string {
  // the package exports only build/index.js; its data/ folder sits beside build/
  return join(dirname(require.resolve('vega-datasets')), '..', 'data');
}

export function resolveSourcePath(source: string, dataDir = vegaDataDir()): string {
  if (!source) throw new EtlError('BAD_PARAMS', 'param "source" is required (a file path, or a vega-datasets file name such as flights-20k.json)');
  const path = isAbsolute(source) ? source : existsSync(resolve(source)) ? resolve(source) : join(dataDir, source);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new EtlError('SOURCE_NOT_FOUND', `source file "${source}" not found (looked for ${path})`, { details: { source, path } });
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
