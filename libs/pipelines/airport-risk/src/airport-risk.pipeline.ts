import { EtlError } from '@brokered-etl/errors';
import { avroSchemaOf, double, fileSource, fileSourceParams, int, record, recordReader, recordShape, string, text, type EnrichmentStep, type PipelineDefinition, type RecordOf } from '@brokered-etl/pipeline-kit';

/**
 * The enrichment example: every airport of vega-datasets' airports.csv is sent
 * to a "risk evaluation" service (one call per airport, its IATA code as the
 * request key) and loaded with the answer. The service is slow and rate
 * limited; the step below is all the pipeline says about it (docs/enrichment.md).
 */
const NS = 'io.brokeredetl.airportrisk';
export const AIRPORT_RISK_SERVICE = 'airport-risk';

const rawAirport = recordShape({
  name: 'RawAirport',
  namespace: NS,
  fields: { iata: text(), name: text(), city: text(), state: text(), country: text(), latitude: text(), longitude: text() },
});

const riskEvaluation = recordShape({
  name: 'RiskEvaluation',
  namespace: NS,
  fields: { score: int({ doc: '0 (none) … 100 (severe)' }), level: string({ doc: 'low | elevated | high' }), model: string({ doc: 'what the service evaluated with' }) },
});

const airportRisk = recordShape({
  name: 'AirportRisk',
  namespace: NS,
  fields: {
    iata: string(),
    name: string(),
    place: string({ doc: '"City, ST, Country"' }),
    latitude: double(),
    longitude: double(),
    risk: record(riskEvaluation, { nullable: true, doc: "the service's answer; null only before the enrichment step" }),
  },
});

type RawAirport = RecordOf<typeof rawAirport>;
export type AirportRisk = RecordOf<typeof airportRisk>;
const readRawAirport = recordReader(rawAirport);
const LEVELS = new Set(['low', 'elevated', 'high']);

function coordinate(field: string, value: string | null, limit: number): number {
  const n = value === null ? NaN : Number(value);
  if (!Number.isFinite(n) || Math.abs(n) > limit) throw new EtlError('VALIDATION_FAILED', `${field} "${value}" is not within ±${limit}`);
  return n;
}

/** The service call: GET /risk/<IATA> per airport, at most 8 at once and 50/s (bursts of 20), answers reused for a day. */
export const airportRiskEnrichment: EnrichmentStep<AirportRisk> = {
  service: AIRPORT_RISK_SERVICE,
  version: '1',
  keyOf: (airport) => airport.iata,
  request: (iata) => ({ path: `/risk/${encodeURIComponent(iata)}` }),
  apply(airport, answer) {
    const { score, level, model } = (answer ?? {}) as Record<string, unknown>;
    if (!Number.isInteger(score) || !LEVELS.has(level as string) || typeof model !== 'string') {
      throw new EtlError('VALIDATION_FAILED', `${AIRPORT_RISK_SERVICE} answered for ${airport.iata} without an integer score, a level and a model: ${JSON.stringify(answer).slice(0, 200)}`);
    }
    return { ...airport, risk: { score: score as number, level: level as string, model } };
  },
  limits: { concurrency: 8, requestsPerSecond: 50, burst: 20, timeoutMs: 2_000, maxAttempts: 5, cacheTtlMs: 24 * 3_600_000 },
};

export const airportRiskPipeline: PipelineDefinition<RawAirport, AirportRisk> = {
  name: 'airport-risk',
  description: 'Airports (vega-datasets airports.csv) with a risk evaluation per airport from the airport-risk service, loaded into "airport_risk"',
  params: fileSourceParams('airports.csv', 'a CSV file with iata,name,city,state,country,latitude,longitude'),
  extractedRecord: avroSchemaOf(rawAirport),
  transformedRecord: avroSchemaOf(airportRisk),
  // 100 calls a chunk: at 50/s one chunk's calls fit in the transformer's MAX_BATCH_MS turn (5 s) with room for retries
  chunkLimits: { maxRecords: 100 },

  source: fileSource({
    defaultSource: 'airports.csv',
    expectedColumns: readRawAirport.columns,
    toRecord: (row) => readRawAirport(row),
  }),

  async createTransform() {
    return (raw) => {
      if (!raw.iata || !/^[A-Z0-9]{3,4}$/.test(raw.iata)) throw new EtlError('VALIDATION_FAILED', `iata "${raw.iata}" is not a 3-4 character code`);
      return {
        iata: raw.iata,
        name: raw.name ?? raw.iata,
        place: [raw.city, raw.state, raw.country].filter(Boolean).join(', '),
        latitude: coordinate('latitude', raw.latitude, 90),
        longitude: coordinate('longitude', raw.longitude, 180),
        risk: null,
      };
    };
  },
  enrichment: airportRiskEnrichment,

  target: {
    collection: 'airport_risk',
    documentOf: (airport) => ({ _id: airport.iata, ...airport }),
  },
};

/**
 * The same evaluation as long work: POST /jobs {key} answers 202 {jobId}, then
 * GET /jobs/<jobId> is polled every second until it answers 200. A submitted
 * job is staged, so a transformer that restarts polls it instead of submitting again.
 */
export const airportRiskJobEnrichment: EnrichmentStep<AirportRisk> = {
  ...airportRiskEnrichment,
  request: (iata) => ({ method: 'POST', path: '/jobs', body: { key: iata } }),
  job: {
    jobIdOf(submitted) {
      const jobId = (submitted as { jobId?: unknown } | null)?.jobId;
      if (typeof jobId !== 'string' || !jobId) throw new EtlError('VALIDATION_FAILED', `${AIRPORT_RISK_SERVICE} accepted a job without a jobId: ${JSON.stringify(submitted).slice(0, 200)}`);
      return jobId;
    },
    poll: (jobId) => ({ path: `/jobs/${encodeURIComponent(jobId)}` }),
    pollEveryMs: 1_000,
  },
};

/** airport-risk with the evaluation run as a submitted job per airport, loaded into "airport_risk_jobs". */
export const airportRiskJobsPipeline: PipelineDefinition<RawAirport, AirportRisk> = {
  ...airportRiskPipeline,
  name: 'airport-risk-jobs',
  description: 'Airports (vega-datasets airports.csv) with a risk evaluation per airport submitted as a job to the airport-risk service and polled until ready, loaded into "airport_risk_jobs"',
  enrichment: airportRiskJobEnrichment,
  target: { ...airportRiskPipeline.target, collection: 'airport_risk_jobs' },
};
