import { z } from 'zod';
import { baseWorkerEnvSchema, opsEnvFields } from '@brokered-etl/config';
import { parseServiceUrls } from '@brokered-etl/enrichment';
import { DEFAULT_EXTRACTION } from '@brokered-etl/stages';

/** Environment of the three stage apps: the shared endpoints plus consumer tuning. */
export const stageWorkerEnvSchema = baseWorkerEnvSchema.extend({
  /** Partitions this instance processes at once. */
  PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(64).default(2),
  SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).default(30_000),
  /** OPS_PORT unset: the stage's own default (OPS_PORTS). */
  ...opsEnvFields,
  /** Unready after this long without a heartbeat accepted by the broker. */
  READINESS_STALE_MS: z.coerce.number().int().min(1000).max(300_000).default(10_000),
  /** Most records in one extraction split (ADR 0004): one split message is this much work. */
  EXTRACT_SPLIT_RECORDS: z.coerce.number().int().min(1).max(10_000_000).default(DEFAULT_EXTRACTION.splitRecords),
  /** Splits of one run queued at once; a later run's splits interleave with an earlier run's. */
  EXTRACT_SPLIT_WINDOW: z.coerce.number().int().min(1).max(1000).default(DEFAULT_EXTRACTION.splitWindow),
  /** A transient failure is retried with backoff for at most this long, then dead-lettered (RETRIES_EXHAUSTED). */
  RETRY_BUDGET_MS: z.coerce.number().int().min(1000).max(86_400_000).default(300_000),
  /** …or at most this many attempts, whichever comes first. */
  RETRY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10_000).default(50),
  /** One batch of a partition stops taking messages after this long, so other partitions get their turn. */
  MAX_BATCH_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /** An open run with no progress for this long is marked stalled. */
  RUN_STALL_AFTER_MS: z.coerce.number().int().min(1000).max(7 * 86_400_000).default(600_000),
  /**
   * How long SIGTERM waits for the in-flight message before exiting anyway. A loader
   * writing a 5,000-document chunk to a busy FerretDB took longer than 10 s in the fault
   * suite's scale-in, and exiting then skips leaving the group (its partitions wait a session timeout).
   */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(1000).max(600_000).default(25_000),
  /** Base URL of each enrichment service pipelines call (`name=http://host:port,…`); the transformer's. */
  ENRICHMENT_SERVICES: z
    .string()
    .optional()
    .transform((text, ctx) => {
      try {
        return parseServiceUrls(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /**
   * Write concern of the loader's target writes: `majority` (default; a standalone server and FerretDB
   * acknowledge it as 1) or a number of members. TARGET_WRITE_TIMEOUT_MS bounds the wait for it.
   */
  TARGET_WRITE_CONCERN: z.union([z.literal('majority'), z.coerce.number().int().min(0).max(50)]).default('majority'),
  TARGET_WRITE_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(60_000),
  /** How target documents are replaced (docs/staging.md): `auto` picks insert-then-replace on FerretDB, bulk-replace on MongoDB. */
  TARGET_WRITE_PATH: z.enum(['auto', 'insert-then-replace', 'bulk-replace', 'insert-then-reinsert']).default('auto'),
  /**
   * The extractor skips a chunk whose input an earlier run already loaded clean, under the same code, params, source
   * and reference data, while the target still holds it (docs/staging.md, "Unchanged input"). `false` sends every chunk
   * through, as a repair after the target was changed behind the loader's back.
   */
  SKIP_UNCHANGED_INPUT: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  /** What code this worker runs, for that skip (an image digest, a commit); unset: a digest of its bundle or of the workspace's libs/ sources. */
  ETL_CODE_VERSION: z.string().min(1).max(200).optional(),
  /** How often each worker looks for stalled runs. */
  STALL_CHECK_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
});

/** Default ops ports: the three stages can run side by side on one host and be scraped apart. */
export const OPS_PORTS = { extractor: 9464, transformer: 9465, loader: 9466 } as const;

export type StageWorkerEnv = z.infer<typeof stageWorkerEnvSchema>;
