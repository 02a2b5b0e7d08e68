/**
 * Async clean-ups of what a scenario holds right now (its workers, its
 * private servers), for an interrupted run: `process.on('exit')` cannot wait,
 * and a private Kafka (started detached by local-infra) would outlive us.
 */
const tasks = new Set<() => Promise<unknown>>();

/** Registers a clean-up; the returned function removes it once the scenario did it itself. */
export function onInterrupt(task: () => Promise<unknown>): () => void {
  tasks.add(task);
  return () => void tasks.delete(task);
}

/** Runs every registered clean-up at once, bounded. */
export async function runInterruptCleanups(timeoutMs: number): Promise<void> {
  const all = Promise.allSettled([...tasks].map((task) => task()));
  await Promise.race([all, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
}
