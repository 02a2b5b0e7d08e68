import type { ConnectedRunControl } from '@brokered-etl/run-control';
import { AIRPORT_RISK_SERVICE, airportRiskEnrichment } from '@brokered-etl/pipelines/airport-risk';
import { waitFor } from '@brokered-etl/testing';
import { evaluateRisk, startThirdPartyService, type ThirdPartyService } from '@brokered-etl/third-party';
import type { TestStages } from '@brokered-etl/worker/testing';
import type { MongoClient } from 'mongodb';
import { writeAirportsSlice } from './support/airports-fixtures';
import { createPipelineEnv } from './support/pipeline-env';

/**
 * The airport-risk pipeline end to end on the real services, against the
 * simulated third party: its own counters say whether the limits held, and
 * how many calls a rerun and a redrive made.
 */
describe('enrichment: airport-risk against a slow, throttling third party', () => {
  const AIRPORTS = 300;
  const pipeline = createPipelineEnv('it-enrich');
  const { database } = pipeline;
  const limits = airportRiskEnrichment.limits;
  let service: ThirdPartyService;
  let stages: TestStages;
  let connected: ConnectedRunControl;
  let mongo: MongoClient;
  let source: string;
  let codes: string[];
  let refused: string;
  let runId: string;

  beforeAll(async () => {
    // the first 300 airports of vega-datasets' airports.csv, as a file of its own
    ({ source, codes } = writeAirportsSlice(AIRPORTS, 'it-enrich-'));
    refused = codes[7];

    // slower than the client's limits allow for: its own throttle answers 429 (Retry-After 1), and 3 % of calls fail with 503
    service = await startThirdPartyService({
      latency: { medianMs: 40, p95Ms: 150 },
      throttle: { requestsPerSecond: 40, burst: 10, retryAfterSeconds: 1 },
      serverErrorRate: 0.03,
      refusedKeys: [refused],
      seed: 14,
    });
    ({ stages, connected, mongo } = await pipeline.start({ extraEnv: { ENRICHMENT_SERVICES: `${AIRPORT_RISK_SERVICE}=${service.url}` } }));
    // whatever the machine's load does to the throttle: the first three calls get 429 (Retry-After 1), the next two never answer
    service.script({ status: 429, count: 3, retryAfterSeconds: 1 });
    service.script({ hang: true, count: 2 });
    runId = (await connected.control.trigger({ pipeline: 'airport-risk', params: { source }, requestedBy: 'test' })).runId;
    expect((await connected.control.waitForRun(runId, { timeoutMs: 150_000 })).status).toBe('completed');
  }, 240_000);
  afterAll(async () => {
    await pipeline.close();
    await service?.close();
  });

  it('loads every airport with its answer and rejects the refused one with the service reason', async () => {
    const run = await connected.control.describeRun(runId);
    expect(run?.counts).toMatchObject({ extracted: AIRPORTS, transformed: AIRPORTS - 1, rejected: 1, loaded: AIRPORTS - 1 });
    const docs = await mongo.db(database).collection<{ _id: string; risk: unknown }>('airport_risk').find({}).toArray();
    expect(docs).toHaveLength(AIRPORTS - 1);
    const jfkLike = docs.find((d) => d._id === codes[0])!;
    const { score, level, model } = evaluateRisk(codes[0]);
    expect(jfkLike.risk).toEqual({ score, level, model });
    const rejections = await connected.control.listRejections(runId);
    expect(rejections.map((r) => [r.errorCode, r.reason])).toEqual([['ENRICHMENT_REFUSED', `airport-risk refused "${refused}": 422 no evaluation possible for "${refused}"`]]);
  });

  it('kept its concurrency and rate limits as the service counted them, and got one answer per airport through 429s, 503s and timeouts', () => {
    const seen = service.counters();
    expect(seen.maxInFlight).toBeLessThanOrEqual(limits.concurrency);
    // a token bucket lets at most burst + rate through in any second
    expect(seen.maxPerSecond).toBeLessThanOrEqual(limits.burst + limits.requestsPerSecond);
    expect(seen.byStatus['429']).toBeGreaterThanOrEqual(3);
    expect(seen.byStatus['503']).toBeGreaterThan(0);
    expect(seen.byStatus['0']).toBe(2); // the two hung calls, given up by the client
    expect((seen.byStatus['200'] ?? 0) + (seen.byStatus['422'] ?? 0)).toBe(AIRPORTS);
    expect(Object.keys(seen.byKey).sort()).toEqual([...codes].sort());
  });

  it("reports calls, latency, errors and cache hits on the transformer's /metrics", async () => {
    const text = await (await fetch(`${stages.opsUrl('transformer')}/metrics`)).text();
    expect(text).toMatch(/etl_enrichment_calls_total\{pipeline="airport-risk",service="airport-risk",status="200"\} 299/);
    expect(text).toMatch(/etl_enrichment_call_duration_seconds_count\{pipeline="airport-risk",service="airport-risk"\} \d+/);
    expect(text).toMatch(/etl_enrichment_errors_total\{pipeline="airport-risk",service="airport-risk",kind="refused"\} 1/);
    expect(text).toMatch(/etl_enrichment_cache_total\{pipeline="airport-risk",service="airport-risk",result="miss"\} \d+/);
  });

  it('a rerun from transform makes zero calls and leaves the target as it was', async () => {
    const before = await mongo.db(database).collection('airport_risk').find({}).sort({ _id: 1 }).toArray();
    service.resetCounters();
    await connected.control.rerun(runId, 'transform');
    expect(await connected.control.waitForRun(runId, { timeoutMs: 120_000 })).toMatchObject({ status: 'completed', generation: 1, counts: { loaded: AIRPORTS - 1, rejected: 1 } });
    expect(service.counters().calls).toBe(0);
    expect(await mongo.db(database).collection('airport_risk').find({}).sort({ _id: 1 }).toArray()).toEqual(before);
  });

  it('a redrive of the refused record makes zero calls (the refusal is staged); with refreshEnrichment it asks again and loads it', async () => {
    service.resetCounters();
    const [letter] = await connected.control.listDeadLetters({ runId, open: true });
    expect(letter.errorCode).toBe('ENRICHMENT_REFUSED');
    await connected.control.redrive({ ids: [letter.id] });
    await stages.waitIdle();
    await waitFor('the redriven record to be refused again', async () => (await connected.control.listDeadLetters({ runId, open: true })).length === 1, 30_000);
    expect(service.counters().calls).toBe(0);
    expect((await connected.control.describeRun(runId))?.counts).toMatchObject({ rejected: 1, loaded: AIRPORTS - 1 });

    // the service has since learnt to evaluate it
    service.configure({ refusedKeys: [] });
    await connected.control.redrive({ ids: [letter.id] }, { refreshEnrichment: true });
    await waitFor('the refreshed record to be loaded', async () => (await connected.control.describeRun(runId))?.counts?.loaded === AIRPORTS, 60_000);
    expect(service.counters().byKey).toEqual({ [refused]: 1 });
    expect(await mongo.db(database).collection('airport_risk').countDocuments()).toBe(AIRPORTS);
  });
});
