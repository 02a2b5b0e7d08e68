import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vegaDataDir } from '@brokered-etl/pipeline-kit';
import type { ConnectedRunControl } from '@brokered-etl/run-control';
import type { TestStages } from '@brokered-etl/worker/testing';
import { readFlights } from './support/flights-fixtures';
import { createPipelineEnv } from './support/pipeline-env';

/**
 * Bad input, one run each: the run fails with a reason that says what and
 * where, the message that carried it is a dead letter, and the extractor's
 * partitions keep moving (a good run afterwards completes).
 */
describe('bad input fails its run with a clear reason and a dead letter, and nothing else stops (real services)', () => {
  const pipeline = createPipelineEnv('it-bad-input');
  let stages: TestStages;
  let control: ConnectedRunControl;
  const dir = mkdtempSync(join(tmpdir(), 'etl-bad-input-'));
  const write = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  beforeAll(async () => {
    ({ stages, connected: control } = await pipeline.start());
  });
  afterAll(() => pipeline.close());

  const flightsJson = readFileSync(join(vegaDataDir(), 'flights-2k.json'));
  const parquet = readFileSync(join(vegaDataDir(), 'flights-3m.parquet'));
  const cases: Array<{ name: string; params: () => Record<string, string>; code: string; reason: RegExp }> = [
    {
      name: 'JSON cut mid-record',
      params: () => ({ source: write('cut.json', flightsJson.subarray(0, Math.floor(flightsJson.length / 2))) }),
      code: 'SOURCE_UNREADABLE',
      reason: /cut\.json.*truncated/,
    },
    { name: 'Parquet cut mid-page (no footer)', params: () => ({ source: write('cut.parquet', parquet.subarray(0, 3_000_000)) }), code: 'SOURCE_UNREADABLE', reason: /cut\.parquet/ },
    {
      name: 'a CSV with a wrong header',
      params: () => ({ source: write('wrong-header.csv', 'when,late,miles,from,to\n2001/01/01 06:55,1,100,LAX,SFO\n') }),
      code: 'SOURCE_UNREADABLE',
      reason: /wrong-header\.csv.*(date|delay|distance|origin|destination)/,
    },
    {
      name: 'a record larger than the broker\'s maximum message size (4 MiB)',
      params: () => {
        const flights = readFlights().slice(0, 10);
        flights[4] = { ...flights[4], origin: 'X'.repeat(5 * 1024 * 1024) };
        return { source: write('huge-record.json', JSON.stringify(flights)) };
      },
      code: 'MESSAGE_TOO_LARGE',
      reason: /too large|MESSAGE_TOO_LARGE/i,
    },
  ];

  it.each(cases)('$name → run failed ($code) with the reason, and a dead letter', async ({ params, code, reason }) => {
    const { runId } = await control.control.trigger({ pipeline: 'flights', params: params(), requestedBy: 'test' });
    const run = await control.control.waitForRun(runId, { timeoutMs: 90_000 });
    expect(run.status).toBe('failed');
    expect(run.failure?.code).toBe(code);
    expect(run.failure?.message).toMatch(reason);
    const letters = await stages.staging.listDeadLetters({ runId });
    expect(letters.map((l) => l.errorCode)).toContain(code);
    expect(run.failure?.message).toContain(letters.find((l) => l.errorCode === code)!.id); // where the data went
  });

  // run control refuses these as the run is requested (source-confinement.int.spec.ts has the API and the CLI)
  it.each([
    ['a missing file', () => join(dir, 'nowhere.json'), /no file ".*nowhere\.json"/],
    ['a directory instead of a file', () => (mkdirSync(join(dir, 'a-dir.json'), { recursive: true }), join(dir, 'a-dir.json')), /a-dir\.json is not a regular file/],
  ])('%s → refused at trigger (BAD_PARAMS naming source), no run', async (_, source, reason) => {
    const runId = `bad-input-refused-${Date.now()}`;
    await expect(control.control.trigger({ pipeline: 'flights', params: { source: source() }, runId, requestedBy: 'test' })).rejects.toMatchObject({ code: 'BAD_PARAMS', details: { field: 'source' }, message: expect.stringMatching(reason) });
    expect(await control.control.getRun(runId)).toBeUndefined();
  });

  it('after all of them, a good run on the same workers completes', async () => {
    const { runId } = await control.control.trigger({ pipeline: 'flights', params: { source: 'flights-2k.json' }, requestedBy: 'test' });
    const run = await control.control.waitForRun(runId, { timeoutMs: 90_000 });
    expect(run.status).toBe('completed');
    expect(run.counts?.loaded).toBe(2000);
  });
});
