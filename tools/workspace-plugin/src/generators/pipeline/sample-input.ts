import { parquetWriteBuffer } from 'hyparquet-writer';
import type { SourceFormat } from './pipeline.options';

/**
 * The rows of every generated sample input, whatever its format: five good
 * readings and one a real feed would send (an amount of "n/a"), so a first run
 * shows a rejection with its reason. The generated spec and pipeline expect them.
 */
export const SAMPLE_COLUMNS = ['Reading ID', 'Station', 'Amount', 'Day'] as const;
type SampleRow = Record<(typeof SAMPLE_COLUMNS)[number], string>;

export const SAMPLE_ROWS: readonly SampleRow[] = [
  { 'Reading ID': 'r-001', Station: 'North Gate', Amount: '12.5', Day: '2026-01-05' },
  { 'Reading ID': 'r-002', Station: 'South Gate', Amount: '7.25', Day: '2026-01-05' },
  { 'Reading ID': 'r-003', Station: 'Harbour', Amount: '19', Day: '2026-01-06' },
  { 'Reading ID': 'r-004', Station: 'Old Mill', Amount: 'n/a', Day: '2026-01-06' },
  { 'Reading ID': 'r-005', Station: 'Ridge', Amount: '3.75', Day: '2026-01-07' },
  { 'Reading ID': 'r-006', Station: 'Lakeside, East', Amount: '0.5', Day: '2026-01-07' },
];

/** The sample rows as a file in `format`: a JSON array, CSV with a header, or Parquet with string columns. */
export function sampleInput(format: SourceFormat): string | Buffer {
  switch (format) {
    case 'json':
      return `[\n${SAMPLE_ROWS.map((row) => `  ${JSON.stringify(row)}`).join(',\n')}\n]\n`;
    case 'csv':
      return [SAMPLE_COLUMNS, ...SAMPLE_ROWS.map((row) => SAMPLE_COLUMNS.map((column) => row[column]))].map((cells) => cells.map(csvCell).join(',')).join('\n') + '\n';
    case 'parquet':
      return Buffer.from(
        parquetWriteBuffer({
          columnData: SAMPLE_COLUMNS.map((name) => ({ name, data: SAMPLE_ROWS.map((row) => row[name]), type: 'STRING' as const })),
        }),
      );
  }
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
