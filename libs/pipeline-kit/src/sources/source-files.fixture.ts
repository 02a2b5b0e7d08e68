import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEtlError, type ErrorCode } from '@brokered-etl/errors';
import type { SourcePlan } from '../source-split.types';
import { readFileSplit } from './file-split.reader';
import type { FileFormat } from './file-source';

/** Spec helpers for the file sources: files in a fresh temp folder, plans read back whole. */

export function tempFolder(): { dir: string; file(name: string, content: string | Buffer): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'file-splits-'));
  return {
    dir,
    file(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Every split of a plan, read in order and concatenated: what all extractors together would produce. */
export async function readPlan(path: string, format: FileFormat, plan: SourcePlan): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const split of plan.splits) out.push(...(await collect(readFileSplit(path, format, split, plan.fingerprint))));
  return out;
}

/** The shape every plan must have whatever the content: contiguous splits, full but the last. */
export function expectWellFormed(plan: SourcePlan, splitRecords: number): void {
  let next = 0;
  plan.splits.forEach((split, i) => {
    expect(split.splitSeq).toBe(i);
    expect(split.firstRecordIndex).toBe(next);
    expect(split.recordCount).toBeGreaterThan(0);
    expect(split.recordCount).toBeLessThanOrEqual(splitRecords);
    expect(split.range.end).toBeGreaterThan(split.range.start);
    if (i > 0) expect(split.range.start).toBeGreaterThanOrEqual(plan.splits[i - 1].range.end);
    next += split.recordCount;
  });
  expect(plan.totalRecords).toBe(next);
}

/** Awaits a failure and returns it, checking it is an EtlError with `code`. */
export async function failure(work: Promise<unknown>, code: ErrorCode): Promise<Error> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isEtlError(err)) throw new Error(`expected EtlError ${code}, got ${err === undefined ? 'success' : String(err)}`);
  expect(err.code).toBe(code);
  return err;
}

/** A small deterministic PRNG (mulberry32), so a failing generated case can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

/** Text that stresses byte scanners: quotes, escapes, brackets, separators, line breaks and multi-byte UTF-8. */
export function trickyText(random: () => number): string {
  const parts = ['a', 'Zürich', '日本語', '🛫', '"', '\\', ',', ']', '}', '[', '{', '\n', '\r\n', ' ', 'x y', '""', "'", '\t', ''];
  let text = '';
  const length = Math.floor(random() * 6);
  for (let i = 0; i < length; i++) text += pick(random, parts);
  return text;
}
