/** mulberry32: a tiny seeded generator, so a simulated service's faults repeat from run to run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Log-normal latency with the given median and 95th percentile: most answers quick, a long tail. */
export function logNormalLatency(random: () => number, medianMs: number, p95Ms: number): () => number {
  const sigma = p95Ms > medianMs ? Math.log(p95Ms / medianMs) / 1.645 : 0;
  return () => {
    // Box-Muller; 1 - random() keeps the log's argument above 0
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return medianMs * Math.exp(sigma * z);
  };
}
