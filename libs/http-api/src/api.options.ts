import type { Logger } from '@brokered-etl/observability';
import type { ParamSpecs } from '@brokered-etl/pipeline-kit';
import type { RunControl } from '@brokered-etl/run-control';
import type { ApiAuth } from './auth';

/** What the API needs from run control: the same operations the CLI uses, so tests can pass a fake. */
export type ApiRunControl = Pick<
  RunControl,
  'trigger' | 'getRun' | 'describeRuns' | 'describeRun' | 'listRejections' | 'rerun' | 'listDeadLetters' | 'getDeadLetter' | 'redrive' | 'replay'
>;

/** A pipeline as the API shows it (name, description, the params it takes and what their values must look like). */
export interface PipelineInfo {
  name: string;
  description: string;
  params: ParamSpecs;
}

export interface ApiOptions {
  control: ApiRunControl;
  pipelines: readonly PipelineInfo[];
  logger: Logger;
  /** Tokens and their scopes, or `{ kind: 'none' }`: required, so running without auth is a decision someone wrote down. */
  auth: ApiAuth;
  /** Rejected records' content and dead letters' key, value and headers in answers; false (the default) omits them. */
  exposeRecords?: boolean;
  /** Mutating requests one client (IP) may make per minute; beyond: 429 with Retry-After. */
  writesPerMinute?: number;
  /** Event streams one client (IP) may hold open at once; beyond: 429. */
  eventStreamsPerClient?: number;
  /** How often a run's event stream polls its counts. */
  eventsPollMs?: number;
  /** Comment lines that keep idle event streams open through proxies. */
  eventsKeepAliveMs?: number;
  /** Directory holding the web console's files (index.html, console.js, console.css). */
  webRoot?: string;
  /** Largest request body accepted. */
  bodyLimitBytes?: number;
  /** Told of every answered request (metrics); `route` is the route's pattern, e.g. /runs/:id, or "unmatched". */
  onResponse?(request: { method: string; route: string; status: number; seconds: number }): void;
}

export const API_DEFAULTS = {
  eventsPollMs: 500,
  eventsKeepAliveMs: 15_000,
  bodyLimitBytes: 64 * 1024,
  writesPerMinute: 60,
  eventStreamsPerClient: 5,
} as const;
