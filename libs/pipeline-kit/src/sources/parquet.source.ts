import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { EtlError } from '@brokered-etl/errors';

/** Rows decoded per read: bounds memory (hyparquet decodes whole pages of the range). */
const SLICE_ROWS = 50_000;

/**
 * Streams a Parquet file slice by slice with hyparquet, a pure-JS reader;
 * hyparquet-compressors brings the ZSTD codec flights-3m.parquet needs on Node 20.
 * INT64 columns arrive as BigInt and zone-less timestamps as Dates in UTC.
 */
export async function* readParquet(path: string): AsyncGenerator<Record<string, unknown>> {
  let file;
  let rows: number;
  try {
    file = await asyncBufferFromFile(path);
    rows = Number((await parquetMetadataAsync(file)).num_rows);
  } catch (cause) {
    throw new EtlError('SOURCE_UNREADABLE', `${path} is not a readable Parquet file: ${(cause as Error).message}`, { cause });
  }
  for (let start = 0; start < rows; start += SLICE_ROWS) {
    const slice = await parquetReadObjects({ file, compressors, rowStart: start, rowEnd: Math.min(rows, start + SLICE_ROWS) });
    yield* slice as Record<string, unknown>[];
  }
}
