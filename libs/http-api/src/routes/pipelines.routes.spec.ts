import type { FastifyInstance } from 'fastify';
import { createSilentLogger } from '@brokered-etl/observability';
import { flightsPipeline } from '@brokered-etl/pipelines/flights';
import { buildApiApp } from '../api.app';
import { createFakeRunControl } from '../testing/fake-run-control';

const TOKEN = 'unit-test-token-0123456789';

/** GET /pipelines answers every ParamSpec field of a real pipeline: the response schema would silently drop one it lacks. */
describe('GET /pipelines', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = await buildApiApp({ control: createFakeRunControl().control, pipelines: [flightsPipeline], logger: createSilentLogger(), auth: { kind: 'tokens', tokens: [{ scope: 'read', token: TOKEN }] } });
  });
  afterAll(() => app.close());

  it('describes each param of flights with its type, allowed values and bounds, as the pipeline declares them', async () => {
    const res = await app.inject({ url: '/pipelines', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode).toBe(200);
    const [flights] = res.json().pipelines;
    expect(flights).toMatchObject({ name: 'flights', description: flightsPipeline.description });
    expect(flights.params).toEqual(JSON.parse(JSON.stringify(flightsPipeline.params)));
    expect(flights.params.format).toEqual({ description: expect.any(String), values: ['json', 'csv', 'parquet'] });
    expect(flights.params.limit).toEqual({ description: expect.any(String), type: 'integer', min: 1, max: 9_999_999_999 });
    expect(flights.params.source).toMatchObject({ type: 'path', default: 'flights-20k.json' });
  });

  it('keeps pattern, maxLength and required (no catalog pipeline declares them yet)', async () => {
    const tagged = { name: 'tagged', description: 'd', params: { tag: { description: 'a tag', pattern: '[a-z]+', maxLength: 12, required: true } } };
    const other = await buildApiApp({ control: createFakeRunControl().control, pipelines: [tagged], logger: createSilentLogger(), auth: { kind: 'none' } });
    try {
      expect((await other.inject({ url: '/pipelines' })).json().pipelines[0].params).toEqual(tagged.params);
    } finally {
      await other.close();
    }
  });
});
