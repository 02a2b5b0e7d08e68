/**
 * A service's answer for one request key, kept so that a rerun, a replay or a
 * redrive asks the service nothing, and later runs reuse it within the
 * pipeline's TTL. A refusal is kept too (asking again would be refused again);
 * a pending job is kept so a resumed chunk polls it instead of submitting twice.
 */
export interface StagedResponse {
  /** responseId(pipeline, version, key) */
  id: string;
  pipeline: string;
  service: string;
  version: string;
  key: string;
  outcome: 'answer' | 'refused' | 'pending';
  /** The answer as JSON text (any shape a service returns survives the database). */
  body?: string;
  reason?: string;
  jobId?: string;
  fetchedAt: Date;
  /** The run whose call fetched it. */
  runId: string;
}

/** Read by _id only: FerretDB 1.x scans a collection for any other filter. */
export interface ResponseStore {
  get(ids: readonly string[]): Promise<Map<string, StagedResponse>>;
  put(response: StagedResponse): Promise<void>;
}

/** Deterministic: the same (pipeline, version, key) is always the same document. */
export const responseId = (pipeline: string, version: string, key: string) => `${pipeline}|${version}|${key}`;
