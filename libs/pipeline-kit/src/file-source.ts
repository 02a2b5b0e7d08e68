import { planFileSource } from './sources/file-plan';
import { readFileSplit } from './sources/file-split.reader';
import { formatOf, resolveSourcePath } from './sources/file-source';
import { sourceIdentity } from './sources/source-identity';
import { validateParams, type ParamSpecs } from './pipeline-params';
import type { PipelineSource, SourceContext } from './source-split.types';

export interface FileSourceOptions<Raw> {
  /** The file read when a run names none. */
  defaultSource: string;
  /** Columns a CSV source must have (a header without them is refused at planning). */
  expectedColumns?: string[];
  /** One row of the file → the pipeline's raw record; `sourceIndex` is the row's position in the file. */
  toRecord(row: Record<string, unknown>, sourceIndex: number): Raw;
}

/** The params every file source understands, declared for a pipeline's `params`. */
export function fileSourceParams(defaultSource: string, sourceHelp: string) {
  return {
    source: { description: sourceHelp, default: defaultSource, type: 'path' },
    format: { description: 'json | csv | parquet (default: from the file extension)', values: ['json', 'csv', 'parquet'] },
    limit: { description: 'read only the first N records of the source (a slice)', type: 'integer', min: 1, max: 9_999_999_999 },
  } satisfies ParamSpecs;
}

/**
 * A JSON-array, CSV or Parquet file as a pipeline source: planned into splits
 * (row ranges, or byte ranges on record boundaries) and read one split at a time.
 * The file must resolve inside the context's source roots.
 */
export function fileSource<Raw>(options: FileSourceOptions<Raw>): PipelineSource<Raw> {
  const declared = fileSourceParams(options.defaultSource, '');
  const fileOf = (params: Record<string, string>, context: SourceContext) => {
    const path = resolveSourcePath(params['source'] || options.defaultSource, context.sourceRoots);
    return { path, format: formatOf(path, params['format']) };
  };
  return {
    async plan(params, plan) {
      // the planner has checked every param already; these are the ones this source reads, checked where they are used
      const own = { source: params['source'] ?? '', format: params['format'] ?? '', limit: params['limit'] ?? '' };
      validateParams(declared, own, { sourceRoots: plan.sourceRoots, requireFiles: false });
      const { path, format } = fileOf(params, plan);
      const limit = own.limit ? Number(own.limit) : plan.limit;
      const planned = await planFileSource(path, format, { ...plan, limit }, { expectedColumns: options.expectedColumns });
      return { ...planned, sourceId: sourceIdentity(path, plan.sourceRoots) };
    },
    async *read(params, split, fingerprint, context) {
      const { path, format } = fileOf(params, context);
      let sourceIndex = split.firstRecordIndex;
      for await (const row of readFileSplit(path, format, split, fingerprint)) yield options.toRecord(row, sourceIndex++);
    },
  };
}
