import { createSilentLogger } from '@brokered-etl/observability';
import type { PruneOptions } from '@brokered-etl/staging';
import { startRetention } from './retention';

describe('scheduler retention', () => {
  it('prunes at start with cutoffs from the policy, and a failure is not fatal', async () => {
    const calls: PruneOptions[] = [];
    const now = new Date(Date.UTC(2026, 11, 31));
    const retention = startRetention({
      policy: { olderThan: '30d', payloadsOlderThan: '7d', keepFailed: true },
      everyMs: 3_600_000,
      logger: createSilentLogger(),
      now: () => now,
      prune: async (options) => {
        calls.push(options);
        throw new Error('database away');
      },
    });
    await retention.stop();
    expect(calls).toEqual([{ runsBefore: new Date(Date.UTC(2026, 11, 1)), payloadsBefore: new Date(Date.UTC(2026, 11, 24)), keepFailed: true, dryRun: undefined }]);
  });
});
