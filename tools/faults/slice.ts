import { formatOf, readFileRecords, resolveSourcePath, sourceIdentity } from '@brokered-etl/pipeline-kit';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { testSourceRoots } from '@brokered-etl/testing';

export interface Slice {
  source: string;
  /** The source's identity as the workers plan it (their roots: testSourceRoots), the prefix of every id. */
  sourceId: string;
  /** The flights trigger params. */
  params: Record<string, string>;
  /** Rows the run must load: ids `<sourceId>:0 … :expected-1`. */
  expected: number;
}

/** What the workers' planner names the source (appEnvFor gives them testSourceRoots). */
const sourceIdOf = (source: string) => sourceIdentity(resolveSourcePath(source, testSourceRoots()), testSourceRoots());

/** Whether the flights pipeline takes `limit` (plan only the first N records; ADR 0004 work). */
export function flightsTakesLimit(): boolean {
  return 'limit' in (PIPELINES.find((p) => p.name === 'flights')?.params ?? {});
}

/**
 * The first `rows` records of source (the whole source when rows is
 * undefined). A `limit` the pipeline does not know would be ignored and the
 * whole file loaded, so that is refused rather than sent.
 */
export async function sliceOf(source: string, rows: number | undefined): Promise<Slice> {
  if (rows === undefined) return { source, sourceId: sourceIdOf(source), params: { source }, expected: await countRecords(source) };
  if (!flightsTakesLimit()) {
    throw new Error(`the flights pipeline has no "limit" param yet, so a slice of ${rows} rows cannot be asked for; use a whole small source (--source flights-20k.json --rows all)`);
  }
  // a small text source may hold fewer rows than asked; counting a Parquet file would mean reading all of it
  const expected = formatOf(resolveSourcePath(source)) === 'parquet' ? rows : Math.min(rows, await countRecords(source));
  return { source, sourceId: sourceIdOf(source), params: { source, limit: String(rows) }, expected };
}

async function countRecords(source: string): Promise<number> {
  const path = resolveSourcePath(source);
  let n = 0;
  for await (const record of readFileRecords(path, formatOf(path))) if (record) n++;
  return n;
}
