import type { PlanOptions, SourcePlan } from '../source-split.types';
import { scanFile } from './byte-scan';
import { JsonArrayScanner } from './json-array.scanner';
import { recordBudget, SplitBuilder } from './split.builder';

/** Byte ranges of whole elements of a top-level JSON array, from one streaming scan (no parsing). */
export async function planJson(path: string, options: PlanOptions, fingerprint: string): Promise<SourcePlan> {
  const builder = new SplitBuilder('bytes', options.splitRecords);
  const budget = recordBudget(options);
  if (budget > 0) {
    const scanner = new JsonArrayScanner(path, (start, end) => {
      builder.add(start, end);
      return builder.totalRecords < budget;
    });
    await scanFile(path, scanner, 'a readable JSON array');
  }
  return builder.plan(fingerprint);
}
