import type { RunRecord } from '@brokered-etl/staging';
import { progressLine, runDetail } from './run-format';

describe('run format: records waiting on a third-party service', () => {
  const counts = { extracted: 40, transformed: 0, rejected: 0, loaded: 0, chunksExtracted: 1, chunksLoaded: 0, splitsExtracted: 1, waiting: { 'sim-risk': 40 } };
  const run: RunRecord = { runId: 'r1', pipeline: 'airport-risk-jobs', params: {}, requestedBy: 'test', status: 'running', requestedAt: new Date(0), counts };

  it('says what an open run waits on, in its detail and its progress line', () => {
    expect(runDetail(run, [])).toContain('waiting    waiting on sim-risk: 40 pending');
    expect(progressLine(run)).toContain('(waiting on sim-risk: 40 pending)');
  });

  it('says nothing of it once the run is closed', () => {
    expect(runDetail({ ...run, status: 'failed' }, [])).not.toContain('waiting on');
    expect(progressLine({ ...run, status: 'completed' })).not.toContain('waiting on');
  });
});
