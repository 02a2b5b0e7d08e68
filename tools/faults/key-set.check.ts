import type { MongoConnection } from '@brokered-etl/staging';

/** The target checked by key against the source: each expected id once, nothing else. */
export interface KeySetReport {
  expected: number;
  /** Expected ids present in the target. */
  present: number;
  /** Expected ids missing from the target. */
  lost: number;
  /** Documents whose id is not one of the expected ones (another source, a position out of range, a malformed id). */
  unexpected: number;
  /** The first missing positions, as ranges ("100-4999, 7000"). */
  lostRanges: string;
  unexpectedSample: string[];
  ms: number;
}

/**
 * The flights pipeline keys a document `<source identity>:<source position>`,
 * so the first N rows of a source are exactly ids `<sourceId>:0 … <sourceId>:N-1`.
 * Reads only _id; a bitmap of positions makes it linear and small for millions of rows.
 */
export async function checkKeySet(db: MongoConnection['db'], options: { collection: string; sourceId: string; expected: number }): Promise<KeySetReport> {
  const started = Date.now();
  const prefix = `${options.sourceId}:`;
  const seen = new Uint8Array(options.expected);
  let present = 0;
  let unexpected = 0;
  const unexpectedSample: string[] = [];
  const cursor = db.collection<{ _id: unknown }>(options.collection).find({}, { projection: { _id: 1 }, batchSize: 10_000 });
  for await (const doc of cursor) {
    const id = String(doc._id);
    const position = id.startsWith(prefix) && /^\d+$/.test(id.slice(prefix.length)) ? Number(id.slice(prefix.length)) : -1;
    if (position >= 0 && position < options.expected && seen[position] === 0) {
      seen[position] = 1;
      present++;
    } else {
      unexpected++;
      if (unexpectedSample.length < 5) unexpectedSample.push(id);
    }
  }
  return { expected: options.expected, present, lost: options.expected - present, unexpected, lostRanges: missingRanges(seen, 8), unexpectedSample, ms: Date.now() - started };
}

/** Up to max ranges of positions still 0, for the report. */
export function missingRanges(seen: Uint8Array, max: number): string {
  const ranges: string[] = [];
  for (let i = 0; i < seen.length && ranges.length <= max; i++) {
    if (seen[i]) continue;
    let j = i;
    while (j + 1 < seen.length && !seen[j + 1]) j++;
    ranges.push(i === j ? String(i) : `${i}-${j}`);
    i = j;
  }
  return ranges.length > max ? `${ranges.slice(0, max).join(', ')}, …` : ranges.join(', ');
}
