/**
 * A call to a slow third-party service for each transformed record (or batch
 * of records), declared by a pipeline and run by the transformer through
 * libs/enrichment: limits, retries, staged responses and metrics come from
 * there; the pipeline only says what to ask and what to do with the answer.
 * The service's base URL is the worker's configuration (ENRICHMENT_SERVICES),
 * never a run param: a run cannot point a worker at another host.
 */
export interface EnrichmentStep<Rec = Record<string, unknown>> {
  /** Names the service in metrics, logs, "waiting on <service>" and ENRICHMENT_SERVICES. */
  service: string;
  /** Part of every staged response's key: bump it when the request or the meaning of an answer changes. */
  version: string;
  /** Records with the same key share one call and one staged response. */
  keyOf(record: Rec): string;
  /** One call per key: the request, relative to the service's base URL. */
  request(key: string): EnrichmentRequest;
  /** One call per batch of keys instead; `answersOf` picks each key's answer (a key without one is refused). */
  batch?: { maxKeys: number; request(keys: string[]): EnrichmentRequest; answersOf(body: unknown, keys: string[]): Record<string, EnrichmentAnswer> };
  /** Long work: the service answers 202 with a job to poll (see EnrichmentJob). */
  job?: EnrichmentJob;
  /** The record with the service's answer in it. Throw VALIDATION_FAILED to reject the record on the answer's content. */
  apply(record: Rec, answer: unknown): Rec;
  limits: EnrichmentLimits;
}

export interface EnrichmentRequest {
  method?: 'GET' | 'POST';
  /** Appended to the service's base URL, e.g. `/risk/JFK`. */
  path: string;
  /** Sent as JSON. */
  body?: unknown;
}

/** One key's answer inside a batch response: its value, or the service's reason for refusing it. */
export type EnrichmentAnswer = { value: unknown } | { refused: string };

/** Submit, then poll: the submit answers 202 with a body `jobIdOf` reads; `poll` is asked every `pollEveryMs` until it answers 200. */
export interface EnrichmentJob {
  jobIdOf(submitted: unknown): string;
  poll(jobId: string): EnrichmentRequest;
  pollEveryMs: number;
}

/** Per pipeline and per worker instance: N transformer instances make up to N times these. */
export interface EnrichmentLimits {
  /** Calls in flight at once. */
  concurrency: number;
  /** Sustained calls per second… */
  requestsPerSecond: number;
  /** …and how many may go at once after a quiet spell (a token bucket of this size). */
  burst: number;
  /** One attempt gives up after this long (then it is retried like a 5xx). */
  timeoutMs: number;
  /** Attempts per call for 429, 5xx, timeouts and connection errors; then the chunk fails as transient. */
  maxAttempts: number;
  /** A staged response is reused by later runs for this long (a run always reuses the ones it fetched). */
  cacheTtlMs: number;
}
