import { z } from 'zod';
import { baseWorkerEnvSchema } from '@brokered-etl/config';

/** Environment of the three stage apps: the shared endpoints plus consumer tuning. */
export const stageWorkerEnvSchema = baseWorkerEnvSchema.extend({
  /** Partitions this instance processes at once. */
  PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(64).default(2),
  SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).default(30_000),
});

export type StageWorkerEnv = z.infer<typeof stageWorkerEnvSchema>;
