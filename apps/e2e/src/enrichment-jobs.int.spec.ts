import type { ConnectedRunControl } from '@brokered-etl/run-control';
import { AIRPORT_RISK_SERVICE } from '@brokered-etl/pipelines/airport-risk';
import { waitFor } from '@brokered-etl/testing';
import { evaluateRisk, startThirdPartyService, type ThirdPartyService } from '@brokered-etl/third-party';
import type { TestStages } from '@brokered-etl/worker/testing';
import type { MongoClient } from 'mongodb';
import { writeAirportsSlice } from './support/airports-fixtures';
import { createPipelineEnv } from './support/pipeline-env';

/**
 * Submit/poll across a worker restart, on Kafka, the registry and FerretDB:
 * airport-risk-jobs submits one job per airport to the simulated service (each
 * takes seconds); the transformer is stopped while every job is pending and
 * started again. The run completes with every airport loaded once, and the
 * service counted exactly one submitted job per airport: the restarted
 * transformer polled the staged job ids instead of submitting again.
 */
describe('enrichment: submitted jobs survive a transformer restart', () => {
  const AIRPORTS = 40;
  const JOB_MS = 6_000;
  const pipeline = createPipelineEnv('it-enrich-jobs');
  const { database } = pipeline;
  let service: ThirdPartyService;
  let stages: TestStages;
  let connected: ConnectedRunControl;
  let mongo: MongoClient;
  let source: string;
  let codes: string[];

  beforeAll(async () => {
    ({ source, codes } = writeAirportsSlice(AIRPORTS, 'it-enrich-jobs-'));
    codes.sort();
    service = await startThirdPartyService({ latency: { medianMs: 20, p95Ms: 60 }, jobDurationMs: JOB_MS, seed: 14 });
    ({ stages, connected, mongo } = await pipeline.start({ extraEnv: { ENRICHMENT_SERVICES: `${AIRPORT_RISK_SERVICE}=${service.url}` } }));
  }, 120_000);
  afterAll(async () => {
    await pipeline.close();
    await service?.close();
  });

  it('completes with every airport loaded once and each job submitted exactly once', async () => {
    const { runId } = await connected.control.trigger({ pipeline: 'airport-risk-jobs', params: { source }, requestedBy: 'test' });
    const responses = mongo.db(database).collection<{ _id: string; outcome: string; jobId?: string }>('enrichment.responses');
    const stagedJobs = async () => (await responses.find({}).toArray()).filter((doc) => doc._id.startsWith('airport-risk-jobs|') && doc.outcome === 'pending' && doc.jobId).length;
    await waitFor('every airport to have a staged job', async () => (await stagedJobs()) === AIRPORTS, 60_000, 50);
    // every job is still running (none answered 200 yet) when the transformer goes
    await stages.stopStage('transformer');
    expect(service.counters().byStatus['200']).toBeUndefined();
    expect(Object.keys(service.counters().jobsByKey)).toHaveLength(AIRPORTS);

    await stages.startStage('transformer');
    const run = await connected.control.waitForRun(runId, { timeoutMs: 120_000 });
    expect(run).toMatchObject({ status: 'completed', counts: { extracted: AIRPORTS, transformed: AIRPORTS, rejected: 0, loaded: AIRPORTS } });

    const docs = await mongo.db(database).collection<{ _id: string; risk: unknown }>('airport_risk_jobs').find({}).sort({ _id: 1 }).toArray();
    expect(docs.map((d) => d._id)).toEqual(codes);
    for (const doc of docs) {
      const { score, level, model } = evaluateRisk(doc._id);
      expect(doc.risk).toEqual({ score, level, model });
    }
    const seen = service.counters();
    expect(seen.jobsByKey).toEqual(Object.fromEntries(codes.map((code) => [code, 1])));
    // the restarted transformer only polled: one 200 per airport, every other answer a 202 (a submit or a poll before ready)
    expect(seen.byStatus['200']).toBe(AIRPORTS);
    expect(Object.keys(seen.byStatus).sort()).toEqual(['200', '202']);
  }, 240_000);
});
