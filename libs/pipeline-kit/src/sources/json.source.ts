import { createReadStream } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
// stream-json 1.x is CommonJS and runs on Node 20 (3.x needs Node 22)
import { parser } from 'stream-json';
import { streamArray } from 'stream-json/streamers/StreamArray';
import { wrapReadError } from './file-read.errors';

const WHAT = 'a readable JSON array';

/** Streams the elements of a top-level JSON array. */
export async function* readJsonArray(input: Readable, name: string): AsyncGenerator<Record<string, unknown>> {
  // pipeline, not pipe: an error of the input (EACCES, EISDIR) reaches the loop below instead of crashing the process
  yield* parsedElements(pipeline(input, parser(), streamArray(), ignore), name);
}

/**
 * The elements in bytes [start, end) of a JSON array file: the range runs
 * from one element's first byte to another's last, so wrapping it in
 * brackets makes it an array of just those elements.
 */
export async function* readJsonRange(path: string, start: number, end: number): AsyncGenerator<Record<string, unknown>> {
  async function* bracketed(): AsyncGenerator<Buffer> {
    yield Buffer.from('[');
    yield* createReadStream(path, { start, end: end - 1 }) as AsyncIterable<Buffer>;
    yield Buffer.from(']');
  }
  yield* parsedElements(pipeline(bracketed, parser(), streamArray(), ignore), path);
}

async function* parsedElements(items: AsyncIterable<unknown>, name: string): AsyncGenerator<Record<string, unknown>> {
  try {
    for await (const item of items as AsyncIterable<{ key: number; value: Record<string, unknown> }>) yield item.value;
  } catch (cause) {
    throw wrapReadError(name, WHAT, cause);
  }
}

/** pipeline() wants a callback; its error also destroys the last stream, so the consuming loop sees it. */
function ignore(): void {
  // the loop over the last stream reports the error
}
