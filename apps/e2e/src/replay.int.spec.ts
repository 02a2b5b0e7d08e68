import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MongoClient } from 'mongodb';
import { groupId } from '@brokered-etl/contracts';
import { EtlError } from '@brokered-etl/errors';
import { createKafkaClient, readGroupOffsets } from '@brokered-etl/messaging';
import type { ConnectedRunControl } from '@brokered-etl/run-control';
import { vegaDataDir } from '@brokered-etl/pipeline-kit';
import { waitFor } from '@brokered-etl/testing';
import type { TestStages } from '@brokered-etl/worker/testing';
import { createPipelineEnv } from './support/pipeline-env';

/** Replay from offsets and rerun from staging leave the target identical (real services). */
describe('replay and rerun', () => {
  const pipeline = createPipelineEnv('it-replay');
  const { env, namespace, database, topics, logger } = pipeline;
  const kafka = createKafkaClient({ brokers: env.kafkaBrokers, clientId: 'it-replay', logger });
  let stages: TestStages;
  let connected: ConnectedRunControl;
  let mongo: MongoClient;
  let runA: string;
  let runB: string;

  /** Count and content hash of the whole target collection. */
  async function targetFingerprint(): Promise<{ count: number; hash: string }> {
    const docs = await mongo.db(database).collection('flights').find({}).sort({ _id: 1 }).toArray();
    return { count: docs.length, hash: createHash('sha256').update(JSON.stringify(docs)).digest('hex') };
  }

  beforeAll(async () => {
    ({ stages, connected, mongo } = await pipeline.start());
    runA = (await connected.control.trigger({ pipeline: 'flights', params: { source: 'flights-2k.json' }, requestedBy: 'test' })).runId;
    runB = (await connected.control.trigger({ pipeline: 'flights', params: { source: 'flights-5k.json' }, requestedBy: 'test' })).runId;
    for (const runId of [runA, runB]) expect((await connected.control.waitForRun(runId, { timeoutMs: 180_000 })).status).toBe('completed');
  });
  afterAll(() => pipeline.close());

  it('rerun of run A from transform reprocesses only A, completes it again, and leaves the target identical', async () => {
    const before = await targetFingerprint();
    expect(before.count).toBe(7000);
    // each run's ledger is a collection of its own (docs/staging.md)
    const ledgerOf = (runId: string) => mongo.db(database).collection(`staging.run.${runId}.ledger`);
    const bBefore = await ledgerOf(runB).find({ split: { $exists: false } }).sort({ _id: 1 }).toArray();

    const result = await connected.control.rerun(runA, 'transform');
    expect(result).toMatchObject({ runId: runA, from: 'transform', generation: 1, chunks: 1, records: 2000 });
    const rerun = await connected.control.waitForRun(runA, { timeoutMs: 120_000 });
    expect(rerun).toMatchObject({ status: 'completed', generation: 1, counts: { extracted: 2000, transformed: 2000, rejected: 0, loaded: 2000 } });

    const aLedger = await ledgerOf(runA).find({ loaded: { $exists: true } }).toArray();
    expect(aLedger.length).toBeGreaterThan(0);
    expect(aLedger.every((e) => e['loaded'].generation === 1)).toBe(true);
    expect(await ledgerOf(runB).find({ split: { $exists: false } }).sort({ _id: 1 }).toArray()).toEqual(bBefore);
    expect(await targetFingerprint()).toEqual(before);
  });

  it('--dry-run prints the plan and changes no offset, even while the group is active', async () => {
    const group = groupId('transformer', namespace);
    const before = await readGroupOffsets(kafka, group, [topics.data('flights', 'extracted')]);
    const plan = await connected.control.replay({ stage: 'transformer', target: { kind: 'earliest' }, dryRun: true });
    expect(plan.applied).toBe(false);
    expect(plan.activeMembers).toHaveLength(1);
    expect(plan.reprocess).toBeGreaterThanOrEqual(3); // run A (1 chunk, and its rerun) + run B (1 chunk)
    expect(plan.plan.every((row) => row.next === '0')).toBe(true);
    expect(await readGroupOffsets(kafka, group, [topics.data('flights', 'extracted')])).toEqual(before);
  });

  it('refuses to reset a group with active members, naming them', async () => {
    const refusal = await connected.control.replay({ stage: 'transformer', target: { kind: 'earliest' }, dryRun: false }).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(EtlError);
    expect((refusal as EtlError).code).toBe('GROUP_ACTIVE');
    expect((refusal as EtlError).message).toMatch(/has 1 active member\(s\): etl-transformer@.*stop the transformer workers/);
  });

  it('replay of the transformer from earliest after completed runs leaves the target unchanged (count and content)', async () => {
    const before = await targetFingerprint();
    const countsBefore = [await connected.control.describeRun(runA), await connected.control.describeRun(runB)].map((r) => r?.counts);
    await stages.stopStage('transformer');
    const applied = await connected.control.replay({ stage: 'transformer', target: { kind: 'earliest' }, dryRun: false });
    expect(applied.applied).toBe(true);
    expect(applied.reprocess).toBeGreaterThanOrEqual(3);
    await stages.startStage('transformer');
    await stages.waitIdle(120_000);

    expect(await targetFingerprint()).toEqual(before);
    expect([await connected.control.describeRun(runA), await connected.control.describeRun(runB)].map((r) => r?.counts)).toEqual(countsBefore);
  });

  it('redriving dead letters after fixing the cause loads the records into their run, which completes with them', async () => {
    // reference data missing one airport: every flight from or to BNA is rejected
    const dir = mkdtempSync(join(tmpdir(), 'etl-redrive-'));
    const airportsPath = join(dir, 'airports.csv');
    const fullAirports = readFileSync(join(vegaDataDir(), 'airports.csv'), 'utf8');
    writeFileSync(airportsPath, fullAirports.split('\n').filter((line) => !line.startsWith('BNA,')).join('\n'));
    const source = join(dir, 'flights-redrive.json');
    copyFileSync(join(vegaDataDir(), 'flights-2k.json'), source);
    const flights = JSON.parse(readFileSync(source, 'utf8')) as Array<{ origin: string; destination: string }>;
    const bna = flights.filter((f) => f.origin === 'BNA' || f.destination === 'BNA').length;
    expect(bna).toBeGreaterThan(0);

    const runId = (await connected.control.trigger({ pipeline: 'flights', params: { source, airports: airportsPath }, requestedBy: 'test' })).runId;
    const first = await connected.control.waitForRun(runId, { timeoutMs: 120_000 });
    expect(first.counts).toMatchObject({ extracted: 2000, transformed: 2000 - bna, rejected: bna, loaded: 2000 - bna });
    const letters = await connected.control.listDeadLetters({ runId, open: true });
    expect(letters).toHaveLength(bna);
    expect(letters.every((d) => /airport "BNA" is not in airports.csv/.test(d.errorMessage) && d.recordIndex !== null)).toBe(true);

    // the fix: the missing airport is back in the reference file (the transformer reloads it when it changes)
    writeFileSync(airportsPath, fullAirports);
    let last: unknown;
    const fixed = await waitFor(
      'the redriven records to load',
      async () => {
        await connected.control.redrive({ runId }); // letters re-rejected before the reload re-open, and go again
        const run = await connected.control.describeRun(runId);
        last = { counts: run?.counts, open: (await connected.control.listDeadLetters({ runId, open: true })).length };
        return run?.counts?.loaded === 2000 ? run : undefined;
      },
      60_000,
      1000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last seen ${JSON.stringify(last)}`);
    });
    expect(fixed.counts).toMatchObject({ extracted: 2000, transformed: 2000, rejected: 0, loaded: 2000 });
    expect((await connected.control.waitForRun(runId)).status).toBe('completed');
    expect(await mongo.db(database).collection('flights').countDocuments({ '_lineage.runId': runId })).toBe(2000);
    expect(await connected.control.listDeadLetters({ runId, open: true })).toEqual([]);
    expect((await connected.control.listRejections(runId)).every((r) => r.resolvedAt)).toBe(true);
  });
});
