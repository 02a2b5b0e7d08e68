import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Cron } from 'croner';
import { z } from 'zod';
import { RUN_ID_PATTERN } from '@brokered-etl/contracts';
import { baseWorkerEnvSchema, ConfigError, opsEnvFields } from '@brokered-etl/config';
import { parseAge } from '@brokered-etl/staging';
import { scheduledRunId } from './run-id';
import type { Schedule } from './schedule.types';

const ageField = z.string().trim().refine((text) => {
  try {
    parseAge(text);
    return true;
  } catch {
    return false;
  }
}, 'must be a number and a unit: m, h, d or w (e.g. 30d)');

/** Environment of the scheduler app: the shared endpoints plus where schedules come from. */
export const schedulerEnvSchema = baseWorkerEnvSchema.extend({
  /** A path to a JSON schedule file, or the JSON itself (starts with `{` or `[`). */
  ETL_SCHEDULES: z.string().trim().optional(),
  /** At start, fire the ticks missed in this many seconds before it (0: none). */
  ETL_SCHEDULER_CATCH_UP_SECONDS: z.coerce.number().int().min(0).max(7 * 24 * 3600).default(0),
  /** At most this many missed ticks per schedule are fired at once (at start or after a stall). */
  ETL_SCHEDULER_MAX_CATCH_UP_TICKS: z.coerce.number().int().min(1).max(1000).default(10),
  /** /healthz, /readyz, /metrics; OPS_PORT unset: SCHEDULER_OPS_PORT. */
  ...opsEnvFields,
  /** Retention (off when unset): closed runs older than this (30d, 12h, 2w) are pruned from staging, as `etl runs prune`. */
  RETENTION_OLDER_THAN: ageField.optional(),
  /** Runs older than this keep their summary but lose their staged chunks; at most RETENTION_OLDER_THAN. */
  RETENTION_PAYLOADS_OLDER_THAN: ageField.optional(),
  /** `true`: failed runs are kept whole (their dead letters stay redrivable). */
  RETENTION_KEEP_FAILED: z.enum(['true', 'false']).default('false').transform((flag) => flag === 'true'),
  /** How often retention runs (from start-up on). */
  RETENTION_EVERY_MS: z.coerce.number().int().min(60_000).max(7 * 86_400_000).default(3_600_000),
});

/** Beside the stage workers' 9464-9466. */
export const SCHEDULER_OPS_PORT = 9467;

export type SchedulerEnv = z.infer<typeof schedulerEnvSchema>;

/** What the config needs to know of a pipeline: that it exists and which params it takes. */
export interface KnownPipeline {
  name: string;
  params: Record<string, unknown>;
}

// no dots or colons: the run id <pipeline>.<name>.<time> then reads back unambiguously
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const entrySchema = z.strictObject({
  name: z.string().regex(NAME, 'name must be 1-64 letters, digits, "_" or "-"'),
  pipeline: z.string().min(1),
  cron: z.string().trim().min(1),
  timezone: z.string().min(1).optional(),
  params: z.record(z.string(), z.string()).default({}),
});

const fileSchema = z.union([z.array(z.unknown()), z.strictObject({ schedules: z.array(z.unknown()) })]);

/** Throws with the croner/Intl reason when the expression or zone cannot be read, or never fires. */
function checkCron(cron: string, timezone: string | undefined): void {
  if (timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    } catch {
      throw new Error(`unknown time zone "${timezone}" (use an IANA name such as Europe/Paris)`);
    }
  }
  let job: Cron;
  try {
    job = new Cron(cron, { timezone, paused: true });
  } catch (err) {
    throw new Error(`bad cron "${cron}": ${(err as Error).message}`);
  }
  if (job.nextRun() === null) throw new Error(`cron "${cron}" never fires`);
}

function label(raw: unknown, index: number): string {
  const name = typeof raw === 'object' && raw !== null && typeof (raw as { name?: unknown }).name === 'string' ? (raw as { name: string }).name : undefined;
  return name ? `schedule "${name}" (entry ${index + 1})` : `schedule entry ${index + 1}`;
}

function zodReason(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`;
}

/**
 * Validates schedule entries: each problem is one line naming its entry
 * (unknown pipeline or param, bad cron or zone, duplicate name).
 */
export function parseSchedules(document: unknown, pipelines: readonly KnownPipeline[], origin = 'ETL_SCHEDULES'): Schedule[] {
  const file = fileSchema.safeParse(document);
  if (!file.success) throw new ConfigError(`${origin}: expected {"schedules": [...]} or an array of schedules`);
  const entries = Array.isArray(file.data) ? file.data : file.data.schedules;
  const known = new Map(pipelines.map((p) => [p.name, p]));
  const seen = new Set<string>();
  const schedules: Schedule[] = [];
  const problems: string[] = [];

  entries.forEach((raw, index) => {
    const where = `${origin}: ${label(raw, index)}`;
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) return void problems.push(`${where}: ${zodReason(parsed.error)}`);
    const entry = parsed.data;
    const pipeline = known.get(entry.pipeline);
    if (!pipeline) return void problems.push(`${where}: unknown pipeline "${entry.pipeline}" (known: ${[...known.keys()].join(', ')})`);
    const unknownParam = Object.keys(entry.params).find((p) => !(p in pipeline.params));
    if (unknownParam) return void problems.push(`${where}: pipeline "${entry.pipeline}" has no param "${unknownParam}" (known: ${Object.keys(pipeline.params).join(', ')})`);
    if (seen.has(entry.name)) return void problems.push(`${where}: duplicate name "${entry.name}"`);
    seen.add(entry.name);
    try {
      checkCron(entry.cron, entry.timezone);
    } catch (err) {
      return void problems.push(`${where}: ${(err as Error).message}`);
    }
    if (!RUN_ID_PATTERN.test(scheduledRunId(entry, new Date(0)))) return void problems.push(`${where}: run ids would exceed 128 characters`);
    schedules.push({ name: entry.name, pipeline: entry.pipeline, cron: entry.cron, timezone: entry.timezone, params: entry.params });
  });

  if (problems.length) throw new ConfigError(problems.join('\n'));
  if (schedules.length === 0) throw new ConfigError(`${origin}: no schedules; add at least one (see config/schedules.example.json)`);
  return schedules;
}

/**
 * ETL_SCHEDULES → validated schedules. Unset is an error rather than an idle
 * scheduler: a scheduler with nothing to do is a deployment mistake.
 */
export function loadSchedules(value: string | undefined, pipelines: readonly KnownPipeline[], options: { cwd?: string; readFile?: (path: string) => string } = {}): Schedule[] {
  if (!value) throw new ConfigError('ETL_SCHEDULES is not set: give it a schedule file (e.g. config/schedules.example.json) or inline JSON');
  const inline = value.startsWith('{') || value.startsWith('[');
  const origin = inline ? 'ETL_SCHEDULES' : `ETL_SCHEDULES (${value})`;
  let text = value;
  if (!inline) {
    try {
      text = (options.readFile ?? ((path) => readFileSync(path, 'utf8')))(resolve(options.cwd ?? process.cwd(), value));
    } catch (err) {
      throw new ConfigError(`${origin}: cannot read the file: ${(err as Error).message}`);
    }
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${origin}: not valid JSON: ${(err as Error).message}`);
  }
  return parseSchedules(document, pipelines, origin);
}
