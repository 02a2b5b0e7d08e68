import { EtlError } from '@brokered-etl/errors';
import {
  avroSchemaOf, double, fileSource, fileSourceParams, int, long, record, recordReader, recordShape, string, text, timestampMillis,
  type PipelineDefinition, type RecordOf,
} from '@brokered-etl/pipeline-kit';

/**
 * pipelines/movies.yaml written as a code pipeline, the way the airports
 * pipeline is: the yardstick for the declarative one. Not in the catalog;
 * movies.pipeline.spec.ts checks both give the same documents and reasons.
 */
const NS = 'io.brokeredetl.movies';

const rawMovie = recordShape({
  name: 'RawMovie',
  namespace: NS,
  fields: {
    title: text({ from: 'Title' }),
    releaseDate: text({ from: 'Release Date' }),
    mpaaRating: text({ from: 'MPAA Rating' }),
    genre: text({ from: 'Major Genre' }),
    distributor: text({ from: 'Distributor' }),
    director: text({ from: 'Director' }),
    runningTime: text({ from: 'Running Time min' }),
    productionBudget: text({ from: 'Production Budget' }),
    usGross: text({ from: 'US Gross' }),
    worldwideGross: text({ from: 'Worldwide Gross' }),
    imdbRating: text({ from: 'IMDB Rating' }),
    imdbVotes: text({ from: 'IMDB Votes' }),
    rottenTomatoes: text({ from: 'Rotten Tomatoes Rating' }),
  },
});

const movie = recordShape({
  name: 'Movie',
  namespace: NS,
  fields: {
    title: string(),
    released: timestampMillis({ doc: 'release date, midnight UTC' }),
    mpaaRating: string({ nullable: true }),
    genre: string({ nullable: true }),
    distributor: string({ nullable: true }),
    director: string({ nullable: true }),
    runningMinutes: int({ nullable: true }),
    budget: long({ nullable: true, doc: 'production budget, USD' }),
    gross: record(recordShape({ name: 'Gross', fields: { us: long({ doc: 'USD' }), worldwide: long({ nullable: true, doc: 'USD' }) } })),
    ratings: record(
      recordShape({
        name: 'Ratings',
        fields: { imdb: double({ nullable: true }), imdbVotes: long({ nullable: true }), rottenTomatoes: int({ nullable: true, doc: 'percent' }) },
      }),
    ),
  },
});

type RawMovie = RecordOf<typeof rawMovie>;
type Movie = RecordOf<typeof movie>;
const readRawMovie = recordReader(rawMovie);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const reject = (reason: string) => new EtlError('VALIDATION_FAILED', reason);

/** "Jun 12 1998" → that day, midnight UTC. */
function releaseDate(value: string | null): Date {
  const [, month = '', day, year] = /^([A-Z][a-z]{2}) (\d\d) (\d{4})$/.exec(value ?? '') ?? [];
  if (!MONTHS.includes(month)) throw reject(`releaseDate: "${value}" is not a date like "Jun 12 1998"`);
  return new Date(Date.UTC(Number(year), MONTHS.indexOf(month), Number(day)));
}

function numberOf(field: string, value: string | null): number | null {
  if (value === null) return null;
  const n = Number(value);
  if (!Number.isFinite(n)) throw reject(`${field}: "${value}" is not a number`);
  return n;
}

export const moviesCodePipeline: PipelineDefinition<RawMovie, Movie> = {
  name: 'movies',
  description: 'Films from vega-datasets movies.json with clean names, typed values and a natural key, loaded into "movies"',
  params: fileSourceParams('movies.json', 'a JSON array, CSV or Parquet file of films with vega-datasets\' movies.json columns'),
  extractedRecord: avroSchemaOf(rawMovie),
  transformedRecord: avroSchemaOf(movie),

  source: fileSource({ defaultSource: 'movies.json', expectedColumns: readRawMovie.columns, toRecord: (row) => readRawMovie(row) }),

  async createTransform() {
    return (raw) => {
      if (raw.title === null) throw reject('Title is missing');
      const released = releaseDate(raw.releaseDate);
      if (released.getTime() > Date.UTC(2010, 11, 31)) throw reject(`Release Date ${raw.releaseDate} is after 2010, when the data set was compiled`);
      const us = numberOf('usGross', raw.usGross);
      if (us === null) throw reject('US Gross is missing');
      return {
        title: raw.title,
        released,
        mpaaRating: raw.mpaaRating,
        genre: raw.genre,
        distributor: raw.distributor,
        director: raw.director,
        runningMinutes: numberOf('runningTime', raw.runningTime),
        budget: numberOf('productionBudget', raw.productionBudget),
        gross: { us, worldwide: numberOf('worldwideGross', raw.worldwideGross) },
        ratings: {
          imdb: numberOf('imdbRating', raw.imdbRating),
          imdbVotes: numberOf('imdbVotes', raw.imdbVotes),
          rottenTomatoes: numberOf('rottenTomatoes', raw.rottenTomatoes),
        },
      };
    };
  },

  target: {
    collection: 'movies',
    documentOf: (m) => ({ _id: `${m.title} (${m.released.toISOString().slice(0, 10)})`, ...m }),
  },
};
