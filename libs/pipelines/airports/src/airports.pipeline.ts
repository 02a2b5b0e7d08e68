import type { AvroRecordSchema } from '@brokered-etl/contracts';
import { EtlError } from '@brokered-etl/errors';
import { fileSource, fileSourceParams, type PipelineDefinition } from '@brokered-etl/pipeline-kit';

/**
 * The second pipeline, with a different record shape: airport reference data
 * as GeoJSON points keyed by IATA code. It exists to prove pipelines plug in
 * without touching apps/ — and it is useful (a geo index over airports).
 */
const NS = 'io.brokeredetl.airports';

const AIRPORT_COLUMNS = ['iata', 'name', 'city', 'state', 'country', 'latitude', 'longitude'];

const rawAirportSchema: AvroRecordSchema = {
  type: 'record',
  name: 'RawAirport',
  namespace: NS,
  fields: AIRPORT_COLUMNS.map((name) => ({ name, type: ['null', 'string'], default: null })),
};

const airportSiteSchema: AvroRecordSchema = {
  type: 'record',
  name: 'AirportSite',
  namespace: NS,
  fields: [
    { name: 'iata', type: 'string' },
    { name: 'name', type: 'string' },
    { name: 'place', type: 'string', doc: '"City, ST, Country"' },
    {
      name: 'location',
      type: {
        type: 'record',
        name: 'Point',
        fields: [
          { name: 'type', type: 'string', default: 'Point' },
          { name: 'coordinates', type: { type: 'array', items: 'double' }, doc: '[longitude, latitude]' },
        ],
      },
    },
  ],
};

type RawAirport = Record<'iata' | 'name' | 'city' | 'state' | 'country' | 'latitude' | 'longitude', string | null>;
interface AirportSite {
  iata: string;
  name: string;
  place: string;
  location: { type: 'Point'; coordinates: [number, number] };
}

function coordinate(field: string, value: string | null, limit: number): number {
  const n = value === null ? NaN : Number(value);
  if (!Number.isFinite(n) || Math.abs(n) > limit) throw new EtlError('VALIDATION_FAILED', `${field} "${value}" is not within ±${limit}`);
  return n;
}

export const airportsPipeline: PipelineDefinition<RawAirport, AirportSite> = {
  name: 'airports',
  description: 'Airport reference data (vega-datasets airports.csv) as GeoJSON points, loaded into "airports"',
  params: fileSourceParams('airports.csv', 'a CSV file with iata,name,city,state,country,latitude,longitude'),
  extractedRecord: rawAirportSchema,
  transformedRecord: airportSiteSchema,
  chunkLimits: { maxRecords: 1000 },

  source: fileSource({
    defaultSource: 'airports.csv',
    expectedColumns: AIRPORT_COLUMNS,
    toRecord: (row) => {
      const text = (key: string) => (row[key] === undefined || row[key] === '' ? null : String(row[key]));
      return { iata: text('iata'), name: text('name'), city: text('city'), state: text('state'), country: text('country'), latitude: text('latitude'), longitude: text('longitude') };
    },
  }),

  async createTransform() {
    return (raw) => {
      if (!raw.iata || !/^[A-Z0-9]{3,4}$/.test(raw.iata)) throw new EtlError('VALIDATION_FAILED', `iata "${raw.iata}" is not a 3-4 character code`);
      const latitude = coordinate('latitude', raw.latitude, 90);
      const longitude = coordinate('longitude', raw.longitude, 180);
      return {
        iata: raw.iata,
        name: raw.name ?? raw.iata,
        place: [raw.city, raw.state, raw.country].filter(Boolean).join(', '),
        location: { type: 'Point', coordinates: [longitude, latitude] },
      };
    };
  },

  target: {
    collection: 'airports',
    documentOf: (site) => ({ _id: site.iata, ...site }),
  },
};
