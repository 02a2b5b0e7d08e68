import { parquetSchema } from 'hyparquet';
import type { PlanOptions, SourcePlan } from '../source-split.types';
import { checkColumns } from './expected-columns';
import { openParquet, rowGroupsOf } from './parquet-file';
import { recordBudget, SplitBuilder } from './split.builder';

/**
 * Row ranges from the footer alone. A split never straddles a row group:
 * hyparquet decodes a column chunk's pages whole, so a split across two
 * groups would decode both for a few rows of one.
 */
export async function planParquet(path: string, options: PlanOptions, fingerprint: string, expectedColumns?: string[]): Promise<SourcePlan> {
  const { metadata } = await openParquet(path);
  if (expectedColumns) checkColumns(path, 'schema', expectedColumns, parquetSchema(metadata).children.map((c) => c.element.name));
  const builder = new SplitBuilder('rows', options.splitRecords);
  const budget = recordBudget(options);
  for (const group of rowGroupsOf(metadata)) {
    const rows = Math.min(group.rows, budget - builder.totalRecords);
    if (rows <= 0) break;
    builder.addRows(group.start, rows);
    builder.close();
  }
  return builder.plan(fingerprint);
}
