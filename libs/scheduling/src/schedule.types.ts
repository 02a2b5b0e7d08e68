/** One validated entry of the schedule config: a pipeline run every time `cron` fires. */
export interface Schedule {
  /** Unique among schedules; part of every run id this schedule produces. */
  name: string;
  pipeline: string;
  /** 5 fields (minute precision) or 6 with seconds first, as croner reads them. */
  cron: string;
  /** IANA zone the cron is read in; UTC when absent. Run ids are always UTC. */
  timezone?: string;
  params: Record<string, string>;
}

/** What the scheduler asks of run control: produce one RunRequested. */
export interface ScheduledTriggerRequest {
  pipeline: string;
  params: Record<string, string>;
  runId: string;
  requestedBy: string;
}

export type TriggerFn = (request: ScheduledTriggerRequest) => Promise<unknown>;
