import { z } from 'zod';
import { baseWorkerEnvSchema } from '@brokered-etl/config';

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
});

export type ApiEnv = z.infer<typeof apiEnvSchema>;
