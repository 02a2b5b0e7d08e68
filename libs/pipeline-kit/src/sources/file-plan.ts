import type { PlanOptions, SourcePlan } from '../source-split.types';
import { planCsv } from './csv.plan';
import { fingerprintOf, sourceChanged } from './file-fingerprint';
import type { FileFormat } from './file-source';
import { planJson } from './json.plan';
import { planParquet } from './parquet.plan';
import { checkPlanOptions } from './split.builder';

export interface FilePlanChecks {
  /** Columns the pipeline reads: a CSV header or Parquet schema without any of them fails planning (SOURCE_UNREADABLE). JSON has no header and is not checked. */
  expectedColumns?: string[];
}

/**
 * Cuts a JSON-array, CSV or Parquet file into splits (ADR 0004): Parquet by
 * row ranges from its footer, JSON and CSV by byte ranges of whole records
 * from one streaming scan. Throws SOURCE_NOT_FOUND, SOURCE_UNREADABLE (with
 * the file, the byte offset and the records before it for a truncated file)
 * or BAD_PARAMS.
 */
export async function planFileSource(path: string, format: FileFormat, options: PlanOptions, checks: FilePlanChecks = {}): Promise<SourcePlan> {
  checkPlanOptions(options);
  const fingerprint = await fingerprintOf(path);
  const plan = await planByFormat(path, format, options, fingerprint, checks);
  // a file still being written would give a plan of content that no longer exists
  const after = await fingerprintOf(path);
  if (after !== fingerprint) throw sourceChanged(path, `it changed while it was being planned: ${fingerprint} → ${after}`, { planned: fingerprint, now: after });
  return plan;
}

function planByFormat(path: string, format: FileFormat, options: PlanOptions, fingerprint: string, checks: FilePlanChecks): Promise<SourcePlan> {
  switch (format) {
    case 'json':
      return planJson(path, options, fingerprint);
    case 'csv':
      return planCsv(path, options, fingerprint, checks.expectedColumns);
    case 'parquet':
      return planParquet(path, options, fingerprint, checks.expectedColumns);
  }
}
