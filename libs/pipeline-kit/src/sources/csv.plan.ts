import type { PlanOptions, SourcePlan } from '../source-split.types';
import { scanFile } from './byte-scan';
import { parseCsvHeader } from './csv.source';
import { CsvRowScanner } from './csv-row.scanner';
import { checkColumns } from './expected-columns';
import { recordBudget, SplitBuilder } from './split.builder';

/**
 * Byte ranges of whole data rows, from one streaming scan that only tracks
 * quotes and line breaks. The header is checked as soon as it is read, so a
 * file without the expected columns fails before the rest is scanned.
 */
export async function planCsv(path: string, options: PlanOptions, fingerprint: string, expectedColumns?: string[]): Promise<SourcePlan> {
  const builder = new SplitBuilder('bytes', options.splitRecords);
  const budget = recordBudget(options);
  const scanner = new CsvRowScanner(
    path,
    (bytes) => {
      if (expectedColumns) checkColumns(path, 'header', expectedColumns, parseCsvHeader(path, bytes));
      return budget > 0;
    },
    (start, end) => {
      builder.add(start, end);
      return builder.totalRecords < budget;
    },
  );
  await scanFile(path, scanner, 'readable CSV');
  return builder.plan(fingerprint);
}
