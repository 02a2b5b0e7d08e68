import type { StageName } from '@brokered-etl/contracts';
import { parseLogLine } from '@brokered-etl/testing';
import { delay } from './process-tree';
import type { WorkerInstance, WorkerPool } from './worker-pool';

/** How much of its stage's work one instance did: the records it passed on (its own etl_records_out_total). */
export interface InstanceShare {
  id: string;
  stage: StageName;
  records: number;
  /** Of the records its stage's instances passed on, together (redone work included). */
  percent: number;
}

export interface ShareTracker {
  /** Stops polling (after a last read of every instance still up) and returns each instance's share. */
  stop(): Promise<InstanceShare[]>;
}

const opsUrlOf = (instance: WorkerInstance): string | undefined => {
  for (const line of instance.app.lines) {
    const entry = parseLogLine(line);
    if (entry?.['message'] === 'ops server listening' && typeof entry['url'] === 'string') return entry['url'];
  }
  return undefined;
};

const alive = (instance: WorkerInstance) => instance.app.child.exitCode === null && instance.app.child.signalCode === null;

async function recordsOut(url: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(4000) })).text();
    return text
      .split('\n')
      .filter((l) => l.startsWith('etl_records_out_total{'))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  } catch {
    return undefined; // starting, stopping, or gone: its last read stands
  }
}

/**
 * Polls every instance's /metrics while it lives, keeping the last count read. An instance asked to
 * leave is still polled while it finishes the message in hand, until its ops server closes; work
 * after the last read (at most about a poll interval) is not seen, so the shares are close, not exact.
 */
export function trackShares(pool: WorkerPool, everyMs = 1000): ShareTracker {
  const last = new Map<WorkerInstance, number>();
  let stopped = false;
  const readAll = () =>
    Promise.all(
      pool.all().filter(alive).map(async (instance) => {
        const url = opsUrlOf(instance);
        const records = url === undefined ? undefined : await recordsOut(url);
        if (records !== undefined) last.set(instance, Math.max(records, last.get(instance) ?? 0));
      }),
    );
  const polling = (async () => {
    // also ends once every instance is gone (the harness closed the pool): a scenario abandoned at its
    // deadline never calls stop, and the loop must not keep the process alive
    while (!stopped && pool.all().some(alive)) {
      await readAll();
      await delay(everyMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await polling;
      await readAll();
      const totals = new Map<StageName, number>();
      for (const [instance, records] of last) totals.set(instance.stage, (totals.get(instance.stage) ?? 0) + records);
      return pool.all().map((instance) => {
        const records = last.get(instance) ?? 0;
        const total = totals.get(instance.stage) ?? 0;
        return { id: instance.id, stage: instance.stage, records, percent: total ? (100 * records) / total : 0 };
      });
    },
  };
}

/** "transformer: #1 31 % (93,000), #2 …" one line per stage. */
export function formatShares(shares: InstanceShare[]): string[] {
  const stages = [...new Set(shares.map((s) => s.stage))];
  return stages.map((stage) => {
    const of = shares.filter((s) => s.stage === stage);
    const total = of.reduce((sum, s) => sum + s.records, 0);
    return `${stage} (${total.toLocaleString('en-US')} records passed on): ${of.map((s) => `${s.id.slice(s.id.indexOf('#'))} ${s.percent.toFixed(0)} % (${s.records.toLocaleString('en-US')})`).join(', ')}`;
  });
}
