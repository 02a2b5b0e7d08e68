import type { Readable } from 'node:stream';
import { EtlError } from '@brokered-etl/errors';
// stream-json 1.x is CommonJS and runs on Node 20 (3.x needs Node 22)
import { parser } from 'stream-json';
import { streamArray } from 'stream-json/streamers/StreamArray';

/** Streams the elements of a top-level JSON array. */
export async function* readJsonArray(input: Readable, name: string): AsyncGenerator<Record<string, unknown>> {
  const stream = input.pipe(parser()).pipe(streamArray());
  try {
    for await (const item of stream as AsyncIterable<{ key: number; value: Record<string, unknown> }>) yield item.value;
  } catch (cause) {
    throw new EtlError('SOURCE_UNREADABLE', `${name} is not a readable JSON array: ${(cause as Error).message}`, { cause });
  } finally {
    input.destroy();
  }
}
