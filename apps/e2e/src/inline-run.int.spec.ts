import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ConnectedRunControl } from '@brokered-etl/run-control';
import { AIRPORT_RISK_SERVICE } from '@brokered-etl/pipelines/airport-risk';
import { evaluateRisk, startThirdPartyService, type ThirdPartyService } from '@brokered-etl/third-party';
import type { MongoClient } from 'mongodb';
import { startApiServer } from './support/api-server';
import { createPipelineEnv } from './support/pipeline-env';

/**
 * A run for one record, on demand, as a web app would ask for it: POST
 * /runs?wait=true with the record inline runs airport-risk (extract,
 * transform, the service call, load) on the real services and answers when
 * it is done; the record is staged with the run, so a rerun needs nothing sent again.
 */
describe('inline runs: POST /runs {records} ?wait=true (real services)', () => {
  const pipeline = createPipelineEnv('it-inline');
  const { database, logger } = pipeline;
  const token = `it-${randomBytes(12).toString('hex')}`;
  const jfk = { iata: 'JFK', name: 'John F Kennedy Intl', city: 'New York', state: 'NY', country: 'USA', latitude: '40.63975111', longitude: '-73.77892556' };
  let service: ThirdPartyService;
  let connected: ConnectedRunControl;
  let mongo: MongoClient;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    service = await startThirdPartyService({ latency: { medianMs: 20, p95Ms: 60 }, seed: 5 });
    ({ connected, mongo } = await pipeline.start({ extraEnv: { ENRICHMENT_SERVICES: `${AIRPORT_RISK_SERVICE}=${service.url}` } }));
    ({ app, base } = await startApiServer({ control: connected.control, logger, token }));
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await pipeline.close();
    await service?.close();
  });

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('runs the pipeline for just the record sent and answers once it is loaded', async () => {
    const res = await post('/runs?wait=true&timeoutMs=60000', { pipeline: 'airport-risk', records: [jfk] });
    expect(res.status).toBe(200);
    expect(res.body.run).toMatchObject({ status: 'completed', totalRecords: 1, counts: { extracted: 1, transformed: 1, rejected: 0, loaded: 1 } });
    const { score, level, model } = evaluateRisk('JFK');
    expect(await mongo.db(database).collection('airport_risk').find({}).toArray()).toEqual([expect.objectContaining({ _id: 'JFK', place: 'New York, NY, USA', risk: { score, level, model } })]);
    expect(service.counters().byKey).toEqual({ JFK: 1 });

    // staged like any run: a rerun reads the same record again, and reuses the staged answer
    await connected.control.rerun(res.body.runId, 'transform');
    expect(await connected.control.waitForRun(res.body.runId, { timeoutMs: 60_000 })).toMatchObject({ status: 'completed', generation: 1, counts: { loaded: 1 } });
    expect(service.counters().byKey).toEqual({ JFK: 1 });
  }, 120_000);

  it('a record that does not fit the extracted shape is a 400 naming body.records, and no run starts', async () => {
    const before = (await connected.control.describeRuns({ limit: 50 })).length;
    const res = await post('/runs?wait=true', { pipeline: 'airport-risk', records: [{ ...jfk, runway: '4L' }] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'BAD_PARAMS', field: 'body.records', message: expect.stringMatching(/record 0 has no field "runway" in RawAirport/) });
    expect((await post('/runs', { pipeline: 'airport-risk', records: [{ iata: 5 }] })).body).toMatchObject({ field: 'body.records', message: expect.stringMatching(/bad or missing iata/) });
    expect((await connected.control.describeRuns({ limit: 50 })).length).toBe(before);
  });
});
