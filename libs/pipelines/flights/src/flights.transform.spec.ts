import { EtlError } from '@brokered-etl/errors';
import { defaultSourceRoots } from '@brokered-etl/pipeline-kit';
import { loadAirports, type AirportIndex } from './airports.reference';
import { flightsPipeline } from './flights.pipeline';
import type { RawFlight } from './flights.shapes';
import { createFlightTransform, delayClass, parseLocalDate } from './flights.transform';

describe('flights transform', () => {
  let airports: AirportIndex;
  let transform: ReturnType<typeof createFlightTransform>;
  const raw = (over: Partial<RawFlight> = {}): RawFlight => ({ sourceIndex: 7, date: '2001/01/01 06:55', delay: '-19', distance: '1797', origin: 'LAX', destination: 'BNA', ...over });

  beforeAll(async () => {
    airports = await loadAirports();
    transform = createFlightTransform(airports);
  });

  it('loads every airport of airports.csv', () => {
    expect(airports.size).toBeGreaterThan(3000);
    expect(airports.get('LAX')).toMatchObject({ city: 'Los Angeles', state: 'CA' });
  });

  it('enriches, derives and keys a flight by source position', () => {
    const flight = transform(raw(), 'flights-2k.json');
    expect(flight).toMatchObject({
      id: 'flights-2k.json:7',
      departureLocal: '2001-01-01T06:55',
      delayMinutes: -19,
      delayClass: 'early',
      distanceMiles: 1797,
      route: 'LAX-BNA',
      origin: { iata: 'LAX', city: 'Los Angeles' },
      destination: { iata: 'BNA', city: 'Nashville' },
    });
    expect(flight.departure.toISOString()).toBe('2001-01-01T06:55:00.000Z');
    // LAX–BNA is ~1,797 statute miles: the reported distance matches the great circle
    expect(flight.greatCircleMiles).toBeGreaterThan(1780);
    expect(flight.greatCircleMiles).toBeLessThan(1810);
  });

  it.each([
    [{ origin: 'XXX' }, /origin airport "XXX"/],
    [{ destination: null }, /destination airport "null"/],
    [{ date: '2001/02/30 10:00' }, /does not exist/],
    [{ date: 'yesterday' }, /is not "YYYY\/MM\/DD HH:mm"/],
    [{ delay: 'late' }, /delay "late" is not an integer/],
    [{ distance: '-5' }, /distance -5 is not positive/],
  ])('rejects %p with a reason', (over, reason) => {
    const attempt = () => transform(raw(over as Partial<RawFlight>), 'f.json');
    expect(attempt).toThrow(EtlError);
    expect(attempt).toThrow(reason);
  });

  it('reads both source date styles as the same wall clock', () => {
    expect(parseLocalDate('2001-01-01T00:01:00').local).toBe('2001-01-01T00:01');
    expect(parseLocalDate('2001/01/01 00:01').local).toBe('2001-01-01T00:01');
  });

  it('classifies delays', () => {
    expect([-3, 0, 14, 15, 59, 60, 179, 180].map(delayClass)).toEqual(['early', 'on-time', 'on-time', 'minor', 'minor', 'moderate', 'moderate', 'severe']);
  });
});

describe('flights pipeline keys', () => {
  const raw: RawFlight = { sourceIndex: 7, date: '2001/01/01 06:55', delay: '-19', distance: '1797', origin: 'LAX', destination: 'BNA' };
  const keyOf = async (context: { params: Record<string, string>; source?: { id: string } }) => {
    const transform = await flightsPipeline.createTransform({ sourceRoots: defaultSourceRoots() });
    const flight = await transform(raw, { runId: 'r', signal: new AbortController().signal, ...context });
    return flightsPipeline.target.documentOf(flight)._id;
  };

  it('are the source identity the run was planned with and the position: same-named files in two folders never share one', async () => {
    expect(await keyOf({ params: { source: 'data/2024/flights.json' }, source: { id: '2024/flights.json' } })).toBe('2024/flights.json:7');
    expect(await keyOf({ params: { source: 'data/2025/flights.json' }, source: { id: '2025/flights.json' } })).toBe('2025/flights.json:7');
  });

  it('for a run planned before plans named the source, are the basename of its source param, as then', async () => {
    expect(await keyOf({ params: { source: 'data/2024/flights.json' } })).toBe('flights.json:7');
    expect(await keyOf({ params: {} })).toBe('flights-20k.json:7');
  });
});
