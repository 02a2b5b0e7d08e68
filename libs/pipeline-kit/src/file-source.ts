import { EtlError } from '@brokered-etl/errors';
import { planFileSource } from './sources/file-plan';
import { readFileSplit } from './sources/file-split.reader';
import { formatOf, resolveSourcePath } from './sources/file-source';
import type { PipelineSource } from './source-split.types';

export interface FileSourceOptions<Raw> {
  /** The file read when a run names none. */
  defaultSource: string;
  /** Columns a CSV source must have (a header without them is refused at planning). */
  expectedColumns?: string[];
  /** One row of the file → the pipeline's raw record; `sourceIndex` is the row's position in the file. */
  toRecord(row: Record<string, unknown>, sourceIndex: number): Raw;
}

/** The params every file source understands, for a pipeline's `params`. */
export function fileSourceParams(defaultSource: string, sourceHelp: string) {
  return {
    source: { description: sourceHelp, default: defaultSource },
    format: { description: 'json | csv | parquet (default: from the file extension)' },
    limit: { description: 'read only the first N records of the source (a slice)' },
  };
}

function limitOf(params: Record<string, string>): number | undefined {
  const text = params['limit'];
  if (text === undefined || text === '') return undefined;
  if (!/^[1-9][0-9]{0,9}$/.test(text)) throw new EtlError('BAD_PARAMS', `param "limit" must be a positive whole number of records, not "${text}"`, { details: { field: 'limit' } });
  return Number(text);
}

/**
 * A JSON-array, CSV or Parquet file as a pipeline source: planned into splits
 * (row ranges, or byte ranges on record boundaries) and read one split at a time.
 */
export function fileSource<Raw>(options: FileSourceOptions<Raw>): PipelineSource<Raw> {
  const fileOf = (params: Record<string, string>) => {
    const path = resolveSourcePath(params['source'] || options.defaultSource);
    return { path, format: formatOf(path, params['format']) };
  };
  return {
    async plan(params, plan) {
      const { path, format } = fileOf(params);
      return planFileSource(path, format, { ...plan, limit: limitOf(params) ?? plan.limit }, { expectedColumns: options.expectedColumns });
    },
    async *read(params, split, fingerprint) {
      const { path, format } = fileOf(params);
      let sourceIndex = split.firstRecordIndex;
      for await (const row of readFileSplit(path, format, split, fingerprint)) yield options.toRecord(row, sourceIndex++);
    },
  };
}
