import type { Logger } from '@brokered-etl/observability';
import type { RunControl } from '@brokered-etl/run-control';

/** What the API needs from run control: the same operations the CLI uses, so tests can pass a fake. */
export type ApiRunControl = Pick<
  RunControl,
  'trigger' | 'getRun' | 'describeRuns' | 'describeRun' | 'listRejections' | 'rerun' | 'listDeadLetters' | 'getDeadLetter' | 'redrive' | 'replay'
>;

/** A pipeline as the API shows it (name, description, the params it takes). */
export interface PipelineInfo {
  name: string;
  description: string;
  params: Record<string, { description: string; default?: string }>;
}

export interface ApiOptions {
  control: ApiRunControl;
  pipelines: readonly PipelineInfo[];
  logger: Logger;
  /** When set, mutating endpoints need `Authorization: Bearer <token>`. */
  token?: string;
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
} as const;
