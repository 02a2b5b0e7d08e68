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

    expect(run?.counts).toEqual({ extracted: 5, transformed: 0, rejected: 0, loaded: 2, chunksExtracted: 2, chunksLoaded: 1, splitsExtracted: 0 });
    expect(Object.fromEntries(calls)).toEqual({ getRun: 1, countRuns: 1 });
    expect(await control.describeRun('missing')).toBeUndefined();
  });
});

describe('trigger: params are checked before anything is produced', () => {
  const pipelines = [{ name: 'files', params: { source: { description: 'a file', type: 'path' as const }, limit: { description: 'n', type: 'integer' as const, min: 1 } } }];

  function controlWithProducer() {
    const sends: unknown[] = [];
    const deps = { pipelines, sourceRoots: [__dirname], producer: { send: async (...args: unknown[]) => void sends.push(args) }, staging: createMemoryStagingStore() };
    return { control: createRunControl(deps as unknown as RunControlDeps), sends };
  }

  it.each([
    ['/etc/passwd', 'source'],
    ['../../../../../../../etc/passwd', 'source'],
    ['no-such-file.json', 'source'],
  ])('refuses source=%s with BAD_PARAMS naming the field, producing nothing', async (source, field) => {
    const { control, sends } = controlWithProducer();
    await expect(control.trigger({ pipeline: 'files', params: { source }, requestedBy: 'test' })).rejects.toMatchObject({ code: 'BAD_PARAMS', details: { field } });
    expect(sends).toEqual([]);
  });

  it('refuses a limit that is not a positive whole number and an unknown param', async () => {
    const { control, sends } = controlWithProducer();
    await expect(control.trigger({ pipeline: 'files', params: { limit: '0' }, requestedBy: 'test' })).rejects.toMatchObject({ details: { field: 'limit' } });
    await expect(control.trigger({ pipeline: 'files', params: { sorce: 'x' }, requestedBy: 'test' })).rejects.toMatchObject({ details: { field: 'sorce' } });
    expect(sends).toEqual([]);
  });
});
