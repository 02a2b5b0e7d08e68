import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { EtlError } from '@brokered-etl/errors';

/** Streams CSV rows as objects keyed by the header line; values stay strings (the transform decides types). */
export async function* readCsv(input: Readable, name: string): AsyncGenerator<Record<string, unknown>> {
  const rows = input.pipe(parse({ columns: true, skip_empty_lines: true, relax_column_count: false }));
  try {
    for await (const row of rows as AsyncIterable<Record<string, unknown>>) yield row;
  } catch (cause) {
    throw new EtlError('SOURCE_UNREADABLE', `${name} is not readable CSV: ${(cause as Error).message}`, { cause });
  } finally {
    input.destroy();
  }
}
