import { openParquet, readParquetRows } from './parquet-file';

/**
 * Streams a Parquet file with hyparquet, a pure-JS reader;
 * hyparquet-compressors brings the ZSTD codec flights-3m.parquet needs on Node 20.
 * INT64 columns arrive as BigInt and zone-less timestamps as Dates in UTC.
 */
export async function* readParquet(path: string): AsyncGenerator<Record<string, unknown>> {
  const parquet = await openParquet(path);
  yield* readParquetRows(parquet, 0, Number(parquet.metadata.num_rows));
}
