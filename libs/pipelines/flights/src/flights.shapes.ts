import { double, int, long, record, recordShape, string, text, timestampMillis, type RecordOf } from '@brokered-etl/pipeline-kit';

const NS = 'io.brokeredetl.flights';

/**
 * A flight as read from the source. Values stay text (or null) on purpose: a
 * corrupt record must reach the transformer intact, to be rejected there with
 * a reason, not lost in the extractor.
 */
export const rawFlightShape = recordShape({
  name: 'RawFlight',
  namespace: NS,
  fields: {
    sourceIndex: long({ doc: 'position in the source file, 0-based' }),
    date: text(),
    delay: text(),
    distance: text(),
    origin: text(),
    destination: text(),
  },
});

export const airportShape = recordShape({
  name: 'Airport',
  namespace: NS,
  fields: {
    iata: string(),
    name: string(),
    city: string({ nullable: true }),
    state: string({ nullable: true }),
    country: string({ nullable: true }),
    latitude: double(),
    longitude: double(),
  },
});

export const flightShape = recordShape({
  name: 'Flight',
  namespace: NS,
  fields: {
    id: string({ doc: '<source identity>:<sourceIndex>, the target _id' }),
    source: string(),
    sourceIndex: long(),
    departureLocal: string({ doc: 'wall-clock time at the origin, ISO without zone: 2001-01-01T06:55' }),
    departure: timestampMillis({ doc: 'the same wall-clock read as UTC (the source has no zone)' }),
    delayMinutes: int(),
    delayClass: string({ doc: 'early | on-time | minor | moderate | severe' }),
    distanceMiles: int(),
    greatCircleMiles: double(),
    distanceRatio: double({ doc: 'reported / great-circle distance' }),
    route: string(),
    origin: record(airportShape),
    destination: record(airportShape),
  },
});

export type RawFlight = RecordOf<typeof rawFlightShape>;
export type Airport = RecordOf<typeof airportShape>;
export type Flight = RecordOf<typeof flightShape>;
