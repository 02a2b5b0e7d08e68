import { z } from 'zod';
import { baseWorkerEnvSchema, opsEnvFields } from '@brokered-etl/config';

/** The api's environment: the shared endpoints plus where to listen and the optional token. */
export const apiEnvSchema = baseWorkerEnvSchema.extend({
  /** Loopback unless told otherwise: the API can start runs and move offsets. */
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** When set, POST endpoints need `Authorization: Bearer <API_TOKEN>`. */
  API_TOKEN: z
    .string()
    .optional()
    .transform((s) => (s === '' ? undefined : s))
    .refine((s) => s === undefined || s.length >= 16, 'must be at least 16 characters (or unset for no token)'),
  /** /healthz, /readyz, /metrics on a port of their own, never behind the token; OPS_PORT unset: API_OPS_PORT. */
  ...opsEnvFields,
});

/** Beside the stage workers' 9464-9466 and the scheduler's 9467. */
export const API_OPS_PORT = 9468;

export type ApiEnv = z.infer<typeof apiEnvSchema>;
