import { createMemoryStagingStore, type StagingStore } from '@brokered-etl/staging';
import { createRunControl, type RunControlDeps } from './run-control';

/** A memory store that counts the calls made to it. */
function countingStore(): { staging: StagingStore; calls: Map<string, number> } {
  const store = createMemoryStagingStore();
  const calls = new Map<string, number>();
  const staging = new Proxy(store, {
    get(target, name: string) {
      const value = Reflect.get(target, name) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { staging, calls };
}

describe('describeRun', () => {
  it('reads the run once and counts it live, in its current generation', async () => {
    const { staging, calls } = countingStore();
    const at = new Date();
    await staging.createRun({ runId: 'r1', pipeline: 'flights', params: {}, requestedBy: 'test', status: 'requested', requestedAt: at });
    await staging.markChunk('r1', 0, { extracted: { records: 3, at }, loaded: { records: 3, at } });
    await staging.markChunk('r1', 1, { extracted: { records: 2, at } });
    await staging.reopenRun('r1', at);
    await staging.markChunk('r1', 1, { loaded: { records: 2, at, generation: 1 } });
    calls.clear();

    const control = createRunControl({ staging } as unknown as RunControlDeps);
    const run = await control.describeRun('r1');

    expect(run?.counts).toEqual({ extracted: 5, transformed: 0, rejected: 0, loaded: 2, chunksExtracted: 2, chunksLoaded: 1 });
    expect(Object.fromEntries(calls)).toEqual({ getRun: 1, countRuns: 1 });
    expect(await control.describeRun('missing')).toBeUndefined();
  });
});
