import type { MongoClient } from 'mongodb';
import type { ConnectedRunControl } from '@brokered-etl/run-control';
import { createPipelineEnv } from './support/pipeline-env';

/** Retention (etl runs prune) against real services: what goes is gone, what stays still reruns. */
describe('retention', () => {
  const pipeline = createPipelineEnv('it-retention');
  const { database } = pipeline;
  let connected: ConnectedRunControl;
  let mongo: MongoClient;
  const runs: Record<'old' | 'middle' | 'recent', string> = { old: '', middle: '', recent: '' };
  const finished: Record<string, Date> = {};

  beforeAll(async () => {
    // every run stages its chunks: the same file three times would otherwise be skipped as unchanged input after the first
    // (unchanged-input.int.spec.ts covers that with retention)
    ({ connected, mongo } = await pipeline.start({ extraEnv: { SKIP_UNCHANGED_INPUT: 'false' } }));
    // one after another, so their finish times order them
    for (const name of ['old', 'middle', 'recent'] as const) {
      runs[name] = (await connected.control.trigger({ pipeline: 'flights', params: { source: 'flights-2k.json' }, requestedBy: 'test' })).runId;
      const run = await connected.control.waitForRun(runs[name], { timeoutMs: 180_000 });
      expect(run.status).toBe('completed');
      finished[name] = run.finishedAt!;
    }
  });
  afterAll(() => pipeline.close());

  it('removes the runs it selects whole, expires payloads of the next, and a kept run still reruns', async () => {
    const collections = async () => (await mongo.db(database).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect((await collections()).filter((name) => name.startsWith(`staging.run.${runs.old}.`)).length).toBeGreaterThan(0);
    const options = { runsBefore: new Date(finished['old']!.getTime() + 1), payloadsBefore: new Date(finished['middle']!.getTime() + 1) };

    expect(await connected.control.pruneRuns({ ...options, dryRun: true })).toEqual({ pruned: [runs.old], payloadsExpired: [runs.middle] });
    expect(await connected.control.getRun(runs.old)).toBeDefined();

    expect(await connected.control.pruneRuns(options)).toEqual({ pruned: [runs.old], payloadsExpired: [runs.middle] });
    expect(await connected.control.getRun(runs.old)).toBeUndefined();
    expect(await connected.control.listRejections(runs.old)).toEqual([]);
    expect((await collections()).filter((name) => name.startsWith(`staging.run.${runs.old}.`))).toEqual([]);
    // the target is not staging: its documents stay
    expect(await mongo.db(database).collection('flights').countDocuments()).toBe(2000);

    // a pruned run, and a run whose payloads expired, say why they cannot be rerun
    await expect(connected.control.rerun(runs.old, 'load')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('retention pruned it') });
    await expect(connected.control.rerun(runs.middle, 'load')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('retention dropped its staged chunks') });
    expect(await connected.control.describeRun(runs.middle)).toMatchObject({ status: 'completed', counts: { loaded: 2000 } });

    // the run that was kept whole reruns from staging and completes again
    expect(await connected.control.rerun(runs.recent, 'transform')).toMatchObject({ chunks: 1, records: 2000, generation: 1 });
    expect(await connected.control.waitForRun(runs.recent, { timeoutMs: 120_000 })).toMatchObject({ status: 'completed', generation: 1, counts: { loaded: 2000 } });
  });
});
