/**
 * docs/pipelines.md, "Generate a pipeline", fills in a generated lib for a real
 * dataset: it quotes each filled-in file whole, in a block opened with
 * "```ts fill-in=<path>". The specs read those blocks, so the guide is code
 * that is compiled, linted and run, and the lines it asks a user to write are counted.
 */
export interface FillIn {
  path: string;
  code: string;
}

/** The guide's name for its example, and the source format it generates. */
export const GUIDE_EXAMPLE = { name: 'seattle-weather', source: 'csv' } as const;

export function guideFillIns(guide: string): FillIn[] {
  return [...guide.matchAll(/```ts fill-in=(\S+)\n([\s\S]*?)```/g)].map(([, path, code]) => ({ path: path ?? '', code: code ?? '' }));
}

/** Lines of `after` that are not in `before` (a longest-common-subsequence line diff): what a user types. */
export function linesWritten(before: string, after: string): number {
  const a = before.split('\n');
  const b = after.split('\n');
  // kept[i * width + j]: length of the longest common subsequence of a[i..] and b[j..]
  const width = b.length + 1;
  const kept = new Int32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      kept[i * width + j] = a[i] === b[j] ? kept[(i + 1) * width + j + 1] + 1 : Math.max(kept[(i + 1) * width + j], kept[i * width + j + 1]);
    }
  }
  return b.length - kept[0];
}
