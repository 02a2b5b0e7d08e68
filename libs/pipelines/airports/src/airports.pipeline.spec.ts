import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSourceRoots, readWholeSource } from '@brokered-etl/pipeline-kit';
import { airportsPipeline } from './airports.pipeline';

describe('airports pipeline', () => {
  it.each(['extracted', 'transformed'] as const)('derives the %s Avro schema registered today, to the character', (stage) => {
    // the schemas registered before the shapes were declared once: same text, so the registry keeps the same versions
    const baseline = JSON.parse(readFileSync(join(__dirname, 'airports.registered-schemas.baseline.json'), 'utf8'));
    expect(JSON.stringify(airportsPipeline[`${stage}Record`])).toBe(JSON.stringify(baseline[stage]));
  });

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
