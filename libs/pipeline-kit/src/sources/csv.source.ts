import { createReadStream } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { parse, type Options } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { EtlError } from '@brokered-etl/errors';
import { scanFile } from './byte-scan';
import { CsvRowScanner } from './csv-row.scanner';
import { wrapReadError } from './file-read.errors';

const WHAT = 'readable CSV';

/**
 * One csv-parse setup for whole files, headers and split ranges, and the one
 * CsvRowScanner follows: rows end at "\n" or "\r\n" (named, not auto-detected,
 * so a byte range parses exactly as it does inside the whole file), empty
 * lines are skipped, and a byte order mark before the header is dropped.
 */
export const CSV_PARSE_OPTIONS: Options = {
  skip_empty_lines: true,
  relax_column_count: false,
  record_delimiter: ['\r\n', '\n'],
  bom: true,
};

/** Streams CSV rows as objects keyed by the header line; values stay strings (the transform decides types). */
export async function* readCsv(input: Readable, name: string): AsyncGenerator<Record<string, unknown>> {
  // pipeline, not pipe: an error of the input (EACCES, EISDIR) reaches the loop below instead of crashing the process
  yield* parsedRows(pipeline(input, parse({ ...CSV_PARSE_OPTIONS, columns: true }), ignore), name);
}

/** The rows in bytes [start, end) of a CSV file whose header is `header`. */
export async function* readCsvRange(path: string, header: string[], start: number, end: number): AsyncGenerator<Record<string, unknown>> {
  const input = createReadStream(path, { start, end: end - 1 });
  yield* parsedRows(pipeline(input, parse({ ...CSV_PARSE_OPTIONS, columns: header }), ignore), path);
}

/** The header's column names, found the way the planner found them (the first non-empty row). */
export async function readCsvHeader(path: string): Promise<string[]> {
  let header: string[] = [];
  const scanner = new CsvRowScanner(
    path,
    (bytes) => {
      header = parseCsvHeader(path, bytes);
      return false;
    },
    () => false,
  );
  await scanFile(path, scanner, WHAT);
  return header;
}

export function parseCsvHeader(path: string, bytes: Buffer): string[] {
  if (bytes.length === 0) return [];
  try {
    const [names] = parseSync(bytes, { ...CSV_PARSE_OPTIONS, to_line: 1 }) as string[][];
    return names ?? [];
  } catch (cause) {
    throw new EtlError('SOURCE_UNREADABLE', `${path} has no readable CSV header: ${(cause as Error).message}`, { cause, details: { path } });
  }
}

async function* parsedRows(rows: AsyncIterable<unknown>, name: string): AsyncGenerator<Record<string, unknown>> {
  try {
    for await (const row of rows as AsyncIterable<Record<string, unknown>>) yield row;
  } catch (cause) {
    throw wrapReadError(name, WHAT, cause);
  }
}

/** pipeline() wants a callback; its error also destroys the last stream, so the consuming loop sees it. */
function ignore(): void {
  // the loop over the last stream reports the error
}
