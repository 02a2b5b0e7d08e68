import { defaultSourceRoots, readWholeSource } from '@brokered-etl/pipeline-kit';
import { airportsPipeline } from './airports.pipeline';

describe('airports pipeline', () => {
  it('reads airports.csv and turns rows into GeoJSON points keyed by IATA', async () => {
    const transform = await airportsPipeline.createTransform({ sourceRoots: defaultSourceRoots() });
    const context = { runId: 'r', params: {}, signal: new AbortController().signal };
    let count = 0;
    let lax;
    for await (const raw of readWholeSource(airportsPipeline.source, {}, { splitRecords: 1000 })) {
      count++;
      if (raw.iata === 'LAX') lax = await transform(raw, context);
    }
    expect(count).toBe(3376);
    expect(lax).toMatchObject({ iata: 'LAX', place: 'Los Angeles, CA, USA', location: { type: 'Point' } });
    expect(airportsPipeline.target.documentOf(lax!)._id).toBe('LAX');
  });

  it('rejects a row without coordinates', async () => {
    const transform = await airportsPipeline.createTransform({ sourceRoots: defaultSourceRoots() });
    const context = { runId: 'r', params: {}, signal: new AbortController().signal };
    expect(() => transform({ iata: 'ZZZ', name: 'x', city: null, state: null, country: null, latitude: 'north', longitude: '3' }, context)).toThrow(/latitude "north"/);
  });
});
