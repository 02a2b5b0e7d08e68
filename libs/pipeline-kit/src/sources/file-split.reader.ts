import { EtlError } from '@brokered-etl/errors';
import type { SourceSplit } from '../source-split.types';
import { readCsvHeader, readCsvRange } from './csv.source';
import { assertFingerprint, fingerprintOf, sourceChanged } from './file-fingerprint';
import type { FileFormat } from './file-source';
import { readJsonRange } from './json.source';
import { openParquet, readParquetRows } from './parquet-file';

/**
 * The records of one split of a file planned by planFileSource, in source
 * order. Refuses content other than what was planned (SOURCE_CHANGED), and
 * checks it yields exactly the records the plan counted, so a split can never
 * silently lose or repeat records.
 */
export async function* readFileSplit(path: string, format: FileFormat, split: SourceSplit, fingerprint: string): AsyncGenerator<Record<string, unknown>> {
  checkSplit(path, format, split);
  await assertFingerprint(path, fingerprint);
  const records = recordsOf(path, format, split)[Symbol.asyncIterator]();
  let count = 0;
  try {
    for (;;) {
      let next: IteratorResult<Record<string, unknown>>;
      try {
        next = await records.next();
      } catch (cause) {
        throw await explainFailure(path, fingerprint, cause);
      }
      if (next.done) break;
      if (++count > split.recordCount) break;
      yield next.value;
    }
  } finally {
    // stops the underlying stream when the consumer or a count check ends early
    await records.return?.();
  }
  if (count !== split.recordCount) {
    const what = count > split.recordCount ? `more than ${split.recordCount}` : String(count);
    const disagree = new EtlError(
      'SOURCE_UNREADABLE',
      `${path}: split ${split.splitSeq} held ${what} records where the plan counted ${split.recordCount} (was it rewritten keeping its size and modification time?)`,
      { details: { path, splitSeq: split.splitSeq, planned: split.recordCount, read: count } },
    );
    throw await explainFailure(path, fingerprint, disagree);
  }
}

function recordsOf(path: string, format: FileFormat, split: SourceSplit): AsyncIterable<Record<string, unknown>> {
  const { start, end } = split.range;
  switch (format) {
    case 'json':
      return readJsonRange(path, start, end);
    case 'csv':
      return (async function* () {
        yield* readCsvRange(path, await readCsvHeader(path), start, end);
      })();
    case 'parquet':
      return (async function* () {
        const parquet = await openParquet(path);
        if (end > Number(parquet.metadata.num_rows)) {
          throw sourceChanged(path, `split ${split.splitSeq} ends at row ${end}, the file has ${parquet.metadata.num_rows}`);
        }
        yield* readParquetRows(parquet, start, end);
      })();
  }
}

/** A read that failed on a file that changed meanwhile is SOURCE_CHANGED; otherwise the failure stands. */
async function explainFailure(path: string, planned: string, cause: unknown): Promise<unknown> {
  let now: string;
  try {
    now = await fingerprintOf(path);
  } catch {
    // gone or unreadable now: the original failure says more
    return cause;
  }
  if (now === planned) return cause;
  const changed = sourceChanged(path, `its size:mtime became ${now} during the read, the plan was made of ${planned}`, { planned, now });
  return new EtlError(changed.code, changed.message, { cause, details: changed.details });
}

function checkSplit(path: string, format: FileFormat, split: SourceSplit): void {
  const unit = format === 'parquet' ? 'rows' : 'bytes';
  const { range, recordCount } = split;
  if (range.unit !== unit || !(range.start >= 0 && range.end > range.start) || !(recordCount > 0)) {
    throw new EtlError('BAD_PARAMS', `split ${split.splitSeq} of ${path} is not a ${format} split (${recordCount} records in ${range.unit} ${range.start}–${range.end})`, {
      details: { path, split },
    });
  }
}
