import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * CPU seconds and resident memory of the processes a benchmark compares,
 * read from Linux /proc: the same measure for a JVM, a Go server and a Node
 * worker, taken from outside, so no process reports on itself.
 */

const TICKS_PER_SECOND = 100; // USER_HZ; Linux fixes it at 100 for /proc/<pid>/stat on every architecture we run

function stat(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'
    return raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // gone
  }
}

/** utime + stime of one process, in seconds (0 once it has gone). */
export function cpuSecondsOf(pid: number): number {
  const fields = stat(pid);
  // after the comm: state(0) ppid(1) … utime(11) stime(12)
  return fields ? (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND : 0;
}

export function rssBytesOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** pid and every process below it. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = stat(Number(entry));
    if (!fields) continue;
    const ppid = Number(fields[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}

/** The process listening on 127.0.0.1:port (or any address), found through its socket's inode; undefined when not local. */
export function pidListeningOn(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let lines: string[];
    try {
      lines = readFileSync(table, 'utf8').trim().split('\n').slice(1);
    } catch {
      continue;
    }
    for (const line of lines) {
      const cols = line.trim().split(/\s+/);
      const localPort = parseInt(cols[1]!.split(':')[1]!, 16);
      if (localPort === port && cols[3] === '0A') inodes.add(cols[9]!); // 0A = LISTEN
    }
  }
  if (!inodes.size) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const link = readlinkSync(`/proc/${entry}/fd/${fd}`);
        if (link.startsWith('socket:[') && inodes.has(link.slice(8, -1))) return Number(entry);
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

/** A named group of processes whose CPU is summed and whose largest member's RSS is sampled. */
export interface Watched {
  name: string;
  /** Resolved when a measurement starts: a worker's tree is tsx's process and the worker it starts. */
  pids(): number[];
}

export interface Usage {
  cpuSeconds: Record<string, number>;
  peakRssBytes: Record<string, number>;
}

/** CPU over a span of work, and peak RSS sampled every everyMs during it. */
export function watchUsage(watched: Watched[], everyMs = 200): { stop(): Usage } {
  // resolved once: a scan of /proc per sample would cost the measuring process more than what it measures
  const pidsOf = new Map(watched.map((w) => [w.name, w.pids()]));
  const cpu = () => Object.fromEntries(watched.map((w) => [w.name, pidsOf.get(w.name)!.reduce((sum, pid) => sum + cpuSecondsOf(pid), 0)]));
  const before = cpu();
  const peaks: Record<string, number> = Object.fromEntries(watched.map((w) => [w.name, 0]));
  const sample = () => {
    for (const w of watched) peaks[w.name] = Math.max(peaks[w.name]!, ...pidsOf.get(w.name)!.map(rssBytesOf));
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const after = cpu();
      return { cpuSeconds: Object.fromEntries(watched.map((w) => [w.name, after[w.name]! - before[w.name]!])), peakRssBytes: peaks };
    },
  };
}
