import { readdirSync, readFileSync } from 'node:fs';

/**
 * Every process below pid (Linux /proc). startApp runs a stage through the
 * tsx CLI, which runs the app in a child node process and relays only the
 * signals it can catch: a SIGKILL of the tsx parent alone would leave the
 * worker itself running as an orphan. A crash is simulated on the whole tree.
 */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** SIGKILL to the deepest processes first (the worker), then up to pid itself: no one gets to clean up. */
export function killTree(pid: number): void {
  for (const target of [...descendantsOf(pid).reverse(), pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export { freePort, isPortOpen } from '@brokered-etl/local-infra';

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until check is true; false when the deadline passed first. */
export async function pollUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return true;
    } catch {
      // not yet
    }
    if (Date.now() >= deadline) return false;
    await delay(everyMs);
  }
}
