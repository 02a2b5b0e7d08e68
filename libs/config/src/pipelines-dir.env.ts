import { z } from 'zod';
import { ConfigError } from './config.error';

/**
 * Where declarative pipelines (YAML or JSON files) are read from at start-up.
 * Unset: the project's `pipelines/` folder. A relative value is taken from the
 * project root, never from the working directory, so every app started anywhere
 * hosts the same pipelines.
 */
export const pipelinesDirEnvFields = {
  ETL_PIPELINES_DIR: z
    .string()
    .optional()
    .transform((s) => (s?.trim() ? s.trim() : undefined))
    .refine((s) => s === undefined || !s.includes('\0'), 'must be a folder path'),
};

const pipelinesDirEnvSchema = z.object(pipelinesDirEnvFields);

/** ETL_PIPELINES_DIR alone, for the pipeline catalog: it is built where it is imported, before an app parses the rest. */
export function pipelinesDirOf(env: Record<string, string | undefined>): string | undefined {
  // not parseEnv: env.schema.ts spreads these fields into the base schema, and importing it back would be a cycle
  const parsed = pipelinesDirEnvSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`invalid configuration:\n  ETL_PIPELINES_DIR: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data.ETL_PIPELINES_DIR;
}
