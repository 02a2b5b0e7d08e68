import type { ChunkLimits } from './pipeline.types';

export const DEFAULT_CHUNK_LIMITS: ChunkLimits = { maxRecords: 5000, maxBytes: 1024 * 1024 };

export interface RecordChunk<R> {
  chunkSeq: number;
  firstRecordIndex: number;
  records: R[];
}

/** Rough serialized size of a record: cheap, and conservative against the Avro size. */
export function estimateBytes(record: unknown): number {
  return Buffer.byteLength(JSON.stringify(record));
}

/**
 * Groups a record stream into chunks bounded by count and bytes ("control the
 * population in every bulk load"). Deterministic: the same source always gives
 * the same chunks, which is what makes re-extraction idempotent.
 */
export async function* chunkRecords<R>(records: AsyncIterable<R>, limits: ChunkLimits, sizeOf: (record: R) => number = estimateBytes): AsyncGenerator<RecordChunk<R>> {
  let current: R[] = [];
  let bytes = 0;
  let chunkSeq = 0;
  let index = 0;
  let firstRecordIndex = 0;
  for await (const record of records) {
    const size = sizeOf(record);
    if (current.length > 0 && (current.length >= limits.maxRecords || bytes + size > limits.maxBytes)) {
      yield { chunkSeq: chunkSeq++, firstRecordIndex, records: current };
      current = [];
      bytes = 0;
      firstRecordIndex = index;
    }
    current.push(record);
    bytes += size;
    index++;
  }
  if (current.length > 0) yield { chunkSeq, firstRecordIndex, records: current };
}
