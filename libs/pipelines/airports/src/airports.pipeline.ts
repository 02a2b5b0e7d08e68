import { EtlError } from '@brokered-etl/errors';
import { array, avroSchemaOf, double, fileSource, fileSourceParams, record, recordReader, recordShape, string, text, type PipelineDefinition, type RecordOf } from '@brokered-etl/pipeline-kit';

/**
 * The second pipeline, with a different record shape: airport reference data
 * as GeoJSON points keyed by IATA code. It exists to prove pipelines plug in
 * without touching apps/ — and it is useful (a geo index over airports).
 */
const NS = 'io.brokeredetl.airports';

/** One CSV row, every column kept as text: a bad value is rejected by the transform, with a reason. */
const rawAirport = recordShape({
  name: 'RawAirport',
  namespace: NS,
  fields: { iata: text(), name: text(), city: text(), state: text(), country: text(), latitude: text(), longitude: text() },
});

const point = recordShape({
  name: 'Point',
  fields: { type: string({ default: 'Point' }), coordinates: array(double(), { doc: '[longitude, latitude]' }) },
});

const airportSite = recordShape({
  name: 'AirportSite',
  namespace: NS,
  fields: { iata: string(), name: string(), place: string({ doc: '"City, ST, Country"' }), location: record(point) },
});

type RawAirport = RecordOf<typeof rawAirport>;
type AirportSite = RecordOf<typeof airportSite>;
const readRawAirport = recordReader(rawAirport);

function coordinate(field: string, value: string | null, limit: number): number {
  const n = value === null ? NaN : Number(value);
  if (!Number.isFinite(n) || Math.abs(n) > limit) throw new EtlError('VALIDATION_FAILED', `${field} "${value}" is not within ±${limit}`);
  return n;
}

export const airportsPipeline: PipelineDefinition<RawAirport, AirportSite> = {
  name: 'airports',
  description: 'Airport reference data (vega-datasets airports.csv) as GeoJSON points, loaded into "airports"',
  params: fileSourceParams('airports.csv', 'a CSV file with iata,name,city,state,country,latitude,longitude'),
  extractedRecord: avroSchemaOf(rawAirport),
  transformedRecord: avroSchemaOf(airportSite),
  chunkLimits: { maxRecords: 1000 },

  source: fileSource({
    defaultSource: 'airports.csv',
    expectedColumns: readRawAirport.columns,
    toRecord: (row) => readRawAirport(row),
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
