import { EtlError } from '@brokered-etl/errors';
import type { PlanOptions, SourcePlan, SourceSplit } from '../source-split.types';

/**
 * Cuts records met in source order into splits of at most `splitRecords`.
 * A byte scan reports each record's [start, end); a split's range runs from
 * its first record's start to its last record's end.
 */
export class SplitBuilder {
  readonly splits: SourceSplit[] = [];
  private records = 0;
  private open: SourceSplit | undefined;

  constructor(
    private readonly unit: 'rows' | 'bytes',
    private readonly splitRecords: number,
  ) {}

  get totalRecords(): number {
    return this.records;
  }

  /** Adds one record at [start, end). */
  add(start: number, end: number): void {
    if (!this.open) {
      this.open = { splitSeq: this.splits.length, firstRecordIndex: this.records, recordCount: 0, range: { unit: this.unit, start, end } };
    }
    this.open.recordCount += 1;
    this.open.range.end = end;
    this.records += 1;
    if (this.open.recordCount === this.splitRecords) this.close();
  }

  /** Adds `count` consecutive rows starting at row `start` (Parquet: no per-record work). */
  addRows(start: number, count: number): void {
    let at = start;
    let left = count;
    while (left > 0) {
      const room = this.splitRecords - (this.open?.recordCount ?? 0);
      const take = Math.min(room, left);
      if (!this.open) {
        this.open = { splitSeq: this.splits.length, firstRecordIndex: this.records, recordCount: 0, range: { unit: this.unit, start: at, end: at } };
      }
      this.open.recordCount += take;
      this.open.range.end = at + take;
      this.records += take;
      at += take;
      left -= take;
      if (this.open.recordCount === this.splitRecords) this.close();
    }
  }

  /** Ends the open split, so the next record starts a new one (a Parquet row-group boundary). */
  close(): void {
    if (this.open) this.splits.push(this.open);
    this.open = undefined;
  }

  plan(fingerprint: string): SourcePlan {
    this.close();
    return { fingerprint, totalRecords: this.records, splits: this.splits };
  }
}

/** Rejects options that would make a plan meaningless, before any I/O. */
export function checkPlanOptions(options: PlanOptions): void {
  const { splitRecords, limit } = options;
  if (!Number.isSafeInteger(splitRecords) || splitRecords < 1) {
    throw new EtlError('BAD_PARAMS', `splitRecords must be a positive integer, got ${String(splitRecords)}`);
  }
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw new EtlError('BAD_PARAMS', `limit must be a non-negative integer, got ${String(limit)}`);
  }
}

/** How many more records the plan may take: Infinity without a limit. */
export function recordBudget(options: PlanOptions): number {
  return options.limit ?? Number.POSITIVE_INFINITY;
}
