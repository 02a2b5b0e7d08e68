import { asyncBufferFromFile, parquetMetadataAsync, parquetScan, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { wrapReadError } from './file-read.errors';

const WHAT = 'a readable Parquet file';

export interface ParquetFile {
  path: string;
  file: AsyncBuffer;
  metadata: FileMetaData;
}

/** Opens a Parquet file by its footer; a file cut short or not Parquet at all fails here. */
export async function openParquet(path: string): Promise<ParquetFile> {
  try {
    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    checkLayout(path, file.byteLength, metadata);
    return { path, file, metadata };
  } catch (cause) {
    throw wrapReadError(path, WHAT, cause);
  }
}

/** Each row group's first row and row count, in file order. */
export function rowGroupsOf(metadata: FileMetaData): { start: number; rows: number }[] {
  let start = 0;
  return metadata.row_groups.map((group) => {
    const rows = Number(group.num_rows);
    const at = { start, rows };
    start += rows;
    return at;
  });
}

/**
 * Rows [rowStart, rowEnd) as objects, one at a time. Each row group's part is
 * decoded once, column by column (hyparquet decodes whole pages anyway), and
 * objects are built as they are consumed, so memory holds the decoded columns
 * of one row group, not an object per row.
 */
export async function* readParquetRows(parquet: ParquetFile, rowStart: number, rowEnd: number): AsyncGenerator<Record<string, unknown>> {
  const { path, file, metadata } = parquet;
  const names = parquetSchema(metadata).children.map((child) => child.element.name);
  for (const group of rowGroupsOf(metadata)) {
    const start = Math.max(rowStart, group.start);
    const end = Math.min(rowEnd, group.start + group.rows);
    if (start >= end) continue;
    let columns: ArrayLike<unknown>[];
    try {
      const scan = await parquetScan({ file, metadata, compressors, rowStart: start, rowEnd: end });
      columns = await Promise.all(names.map((column) => scan.readColumn({ column, rowStart: start, rowEnd: end })));
    } catch (cause) {
      // a corrupt page, a bad codec stream or a file cut after its footer was read
      throw wrapReadError(path, `${WHAT} (rows ${start}–${end})`, cause);
    }
    for (let row = 0; row < end - start; row++) {
      const record: Record<string, unknown> = {};
      for (let c = 0; c < names.length; c++) record[names[c]] = columns[c][row];
      yield record;
    }
  }
}

/** Cheap checks of the footer against the file, so a damaged file fails at planning rather than in one split. */
function checkLayout(path: string, size: number, metadata: FileMetaData): void {
  const groups = rowGroupsOf(metadata);
  const rows = groups.reduce((sum, g) => sum + g.rows, 0);
  if (rows !== Number(metadata.num_rows)) {
    throw new Error(`its row groups hold ${rows} rows but its footer says ${metadata.num_rows}`);
  }
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (!meta) continue;
      const end = Number(meta.dictionary_page_offset || meta.data_page_offset) + Number(meta.total_compressed_size);
      if (end > size) throw new Error(`column ${meta.path_in_schema.join('.')} ends at byte ${end}, past the file's end (${size} bytes)`);
    }
  }
}
