import { evaluateRisk } from '@brokered-etl/third-party';
import { airportRiskEnrichment, airportRiskPipeline } from './airport-risk.pipeline';

const raw = { iata: 'JFK', name: 'John F Kennedy Intl', city: 'New York', state: 'NY', country: 'USA', latitude: '40.63975111', longitude: '-73.77892556' };
const context = { runId: 'r', params: {}, signal: new AbortController().signal };

describe('airport-risk pipeline', () => {
  it('transforms an airport, asks the service by IATA code, and carries its answer', async () => {
    const transform = await airportRiskPipeline.createTransform({ sourceRoots: [] });
    const airport = await transform(raw, context);
    expect(airport).toEqual({ iata: 'JFK', name: 'John F Kennedy Intl', place: 'New York, NY, USA', latitude: 40.63975111, longitude: -73.77892556, risk: null });
    expect(airportRiskEnrichment.keyOf(airport)).toBe('JFK');
    expect(airportRiskEnrichment.request('JFK')).toEqual({ path: '/risk/JFK' });
    const { score, level, model } = evaluateRisk('JFK');
    expect(airportRiskEnrichment.apply(airport, evaluateRisk('JFK'))).toEqual({ ...airport, risk: { score, level, model } });
  });

  it('rejects an answer without a score, a level and a model, saying what came back', async () => {
    const airport = await (await airportRiskPipeline.createTransform({ sourceRoots: [] }))(raw, context);
    expect(() => airportRiskEnrichment.apply(airport, { score: 'high' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', message: expect.stringContaining('{"score":"high"}') }));
  });

  it('rejects a record without a usable code before any call', async () => {
    const transform = await airportRiskPipeline.createTransform({ sourceRoots: [] });
    expect(() => transform({ ...raw, iata: 'j' }, context)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
