import type { AvroRecordSchema } from '@brokered-etl/contracts';

const NS = 'io.brokeredetl.flights';

/**
 * A flight as read from the source. Values stay text (or null) on purpose: a
 * corrupt record must reach the transformer intact, to be rejected there with
 * a reason, not lost in the extractor.
 */
export const rawFlightSchema: AvroRecordSchema = {
  type: 'record',
  name: 'RawFlight',
  namespace: NS,
  fields: [
    { name: 'sourceIndex', type: 'long', doc: 'position in the source file, 0-based' },
    { name: 'date', type: ['null', 'string'], default: null },
    { name: 'delay', type: ['null', 'string'], default: null },
    { name: 'distance', type: ['null', 'string'], default: null },
    { name: 'origin', type: ['null', 'string'], default: null },
    { name: 'destination', type: ['null', 'string'], default: null },
  ],
};

const airport: AvroRecordSchema = {
  type: 'record',
  name: 'Airport',
  namespace: NS,
  fields: [
    { name: 'iata', type: 'string' },
    { name: 'name', type: 'string' },
    { name: 'city', type: ['null', 'string'], default: null },
    { name: 'state', type: ['null', 'string'], default: null },
    { name: 'country', type: ['null', 'string'], default: null },
    { name: 'latitude', type: 'double' },
    { name: 'longitude', type: 'double' },
  ],
};

export const flightSchema: AvroRecordSchema = {
  type: 'record',
  name: 'Flight',
  namespace: NS,
  fields: [
    { name: 'id', type: 'string', doc: '<source file>:<sourceIndex>, the target _id' },
    { name: 'source', type: 'string' },
    { name: 'sourceIndex', type: 'long' },
    { name: 'departureLocal', type: 'string', doc: 'wall-clock time at the origin, ISO without zone: 2001-01-01T06:55' },
    { name: 'departure', type: { type: 'long', logicalType: 'timestamp-millis' }, doc: 'the same wall-clock read as UTC (the source has no zone)' },
    { name: 'delayMinutes', type: 'int' },
    { name: 'delayClass', type: 'string', doc: 'early | on-time | minor | moderate | severe' },
    { name: 'distanceMiles', type: 'int' },
    { name: 'greatCircleMiles', type: 'double' },
    { name: 'distanceRatio', type: 'double', doc: 'reported / great-circle distance' },
    { name: 'route', type: 'string' },
    { name: 'origin', type: airport },
    { name: 'destination', type: 'Airport' },
  ],
};
