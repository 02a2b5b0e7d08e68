import { basename } from 'node:path';
import { avroSchemaOf, fileSource, fileSourceParams, recordReader, type PipelineDefinition } from '@brokered-etl/pipeline-kit';
import { airportsVersion, createAirportReferences, DEFAULT_AIRPORTS, type AirportIndex } from './airports.reference';
import { flightShape, rawFlightShape, type Flight, type RawFlight } from './flights.shapes';
import { createFlightTransform } from './flights.transform';

const pad = (n: number) => String(n).padStart(2, '0');

/** Source values → text, the way flights-*.json writes them (Parquet gives BigInt and zone-less Dates). */
function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) {
    return `${value.getUTCFullYear()}/${pad(value.getUTCMonth() + 1)}/${pad(value.getUTCDate())} ${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}`;
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export const DEFAULT_FLIGHTS_SOURCE = 'flights-20k.json';

const readRawFlight = recordReader(rawFlightShape, { computed: ['sourceIndex'], text: asText });

export const flightsPipeline: PipelineDefinition<RawFlight, Flight> = {
  name: 'flights',
  description: 'US flight on-time records (vega-datasets) enriched with airports, loaded into the "flights" collection',
  params: {
    ...fileSourceParams(DEFAULT_FLIGHTS_SOURCE, 'a file path, or a vega-datasets file: flights-2k.json … flights-20k.json, flights-3m.parquet'),
    airports: { description: 'airports reference CSV (iata,name,city,state,country,latitude,longitude); reloaded when it changes', default: DEFAULT_AIRPORTS, type: 'path' },
  },
  extractedRecord: avroSchemaOf(rawFlightShape),
  transformedRecord: avroSchemaOf(flightShape),
  chunkLimits: { maxRecords: 5000, maxBytes: 1024 * 1024 },

  source: fileSource({
    defaultSource: DEFAULT_FLIGHTS_SOURCE,
    expectedColumns: readRawFlight.columns,
    toRecord: (row, sourceIndex) => readRawFlight(row, { sourceIndex }),
  }),

  async createTransform({ sourceRoots }) {
    const airportsFor = createAirportReferences(sourceRoots);
    const transforms = new WeakMap<AirportIndex, ReturnType<typeof createFlightTransform>>();
    await airportsFor(); // fail at start-up, not at the first record, if the default reference is missing
    return async (raw, context) => {
      const airports = await airportsFor(context.params['airports']);
      let transform = transforms.get(airports);
      if (!transform) transforms.set(airports, (transform = createFlightTransform(airports)));
      // a run planned before plans staged the source's identity keys by the file's basename, as it did then, so its reruns rewrite the same documents
      return transform(raw, context.source?.id ?? basename(context.params['source'] ?? DEFAULT_FLIGHTS_SOURCE));
    };
  },

  // the airports file enriches every record: another one (or an edited one) makes unchanged flights transform again
  referenceVersion: async (params, { sourceRoots }) => airportsVersion(params['airports'], sourceRoots),

  target: {
    collection: 'flights',
    // source identity and position, not a natural key: flights-3m.parquet has 191 rows that
    // repeat another row exactly, and each is a record the source gave us (ADR 0003)
    documentOf: ({ id, ...flight }) => ({ _id: id, ...flight }),
  },
};
