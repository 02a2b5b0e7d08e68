import { z } from 'zod';
import { baseWorkerEnvSchema, opsEnvFields } from '@brokered-etl/config';

/** Environment of the three stage apps: the shared endpoints plus consumer tuning. */
export const stageWorkerEnvSchema = baseWorkerEnvSchema.extend({
  /** Partitions this instance processes at once. */
  PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(64).default(2),
  SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).default(30_000),
  /** OPS_PORT unset: the stage's own default (OPS_PORTS). */
  ...opsEnvFields,
  /** Unready after this long without a heartbeat accepted by the broker. */
  READINESS_STALE_MS: z.coerce.number().int().min(1000).max(300_000).default(10_000),
});

/** Default ops ports: the three stages can run side by side on one host and be scraped apart. */
export const OPS_PORTS = { extractor: 9464, transformer: 9465, loader: 9466 } as const;

export type StageWorkerEnv = z.infer<typeof stageWorkerEnvSchema>;
