/**
 * A seeded generator (mulberry32): the same seed gives the same fault points,
 * delays and instance counts, so a run that found a problem can be repeated.
 */
export interface Rng {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** n points uniform in [min, max), ascending. */
  points(n: number, min: number, max: number): number[];
  pick<T>(items: readonly T[]): T;
  /** A generator of its own for one scenario, so adding a scenario does not move another's points. */
  fork(label: string): Rng;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const between = (min: number, max: number) => min + (max - min) * next();
  return {
    seed,
    next,
    between,
    int: (min, max) => Math.floor(between(min, max + 1)),
    points: (n, min, max) => Array.from({ length: n }, () => between(min, max)).sort((a, b) => a - b),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    fork: (label) => createRng(hash(`${seed}:${label}`)),
  };
}

/** FNV-1a: a label to a 32-bit seed. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A seed for a run that was not given one: printed, so the run can be repeated. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
