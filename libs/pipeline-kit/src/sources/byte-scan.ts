import { createReadStream } from 'node:fs';
import { wrapReadError } from './file-read.errors';

/** Consumes a file's bytes in order; the scanners of JSON and CSV implement it. */
export interface ByteSink {
  /** `offset` is the file position of chunk[0]; returns false to stop reading (the plan's limit is reached). */
  push(chunk: Buffer, offset: number): boolean;
  /** Called at end of file with the file's size; throws if the content ends mid-record. */
  end(size: number): void;
}

/** Larger than the 64 KiB default: fewer reads for a one-pass scan, still a bounded buffer. */
const SCAN_CHUNK_BYTES = 1 << 20;

/**
 * One pass over a file, never more than one chunk in memory. The stream is
 * iterated, not piped, so an open or read error (EACCES, EISDIR, …) rejects
 * here instead of being emitted with no listener.
 */
export async function scanFile(path: string, sink: ByteSink, what: string): Promise<void> {
  const stream = createReadStream(path, { highWaterMark: SCAN_CHUNK_BYTES });
  let offset = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (!sink.push(chunk, offset)) return;
      offset += chunk.length;
    }
    sink.end(offset);
  } catch (cause) {
    throw wrapReadError(path, what, cause);
  } finally {
    stream.destroy();
  }
}
