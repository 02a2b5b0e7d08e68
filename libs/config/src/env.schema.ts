import { delimiter, isAbsolute } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './config.error';
import { kafkaSecurityEnvFields } from './kafka-security.env';
import { pipelinesDirEnvFields } from './pipelines-dir.env';
import { kafkaTopicEnvFields } from './kafka-topics.env';

export { ConfigError } from './config.error';

/** "a,b" or "a:b" → ['a', 'b']; unset or empty → undefined (the app's default roots); every one absolute. */
function sourceRootsField() {
  return z
    .string()
    .optional()
    .transform((s) => {
      const roots = (s ?? '').split(new RegExp(`[,${delimiter === ';' ? ';' : ':'}]`)).map((r) => r.trim()).filter(Boolean);
      return roots.length ? roots : undefined;
    })
    .refine((roots) => !roots || roots.every((r) => isAbsolute(r)), 'every root must be an absolute path (separate them with "," or "' + delimiter + '")');
}

/** Endpoints and knobs every worker shares; apps extend it with their own. */
export const baseWorkerEnvSchema = z.object({
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean)),
  KAFKA_CLIENT_ID: z.string().optional(),
  ...kafkaSecurityEnvFields,
  ...kafkaTopicEnvFields,
  SCHEMA_REGISTRY_URL: z.string().url().default('http://127.0.0.1:8081/apis/ccompat/v7'),
  /** Credentials and TLS go in the URL and its options (mongodb+srv:// and replica sets work). */
  MONGO_URL: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URL').default('mongodb://127.0.0.1:27017/'),
  MONGO_DB: z.string().min(1).default('brokered_etl'),
  /** Prefix for every topic and group: lets several environments (or tests) share one cluster. */
  ETL_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9._-]*$/, 'lowercase letters, digits, dot, dash and underscore only')
    .default(''),
  /**
   * Folders every file a pipeline reads must resolve inside (after symlinks and `..`); comma- or
   * path-delimiter-separated absolute paths. Unset: the project's data/ and vega-datasets' data/.
   */
  ETL_SOURCE_ROOTS: sourceRootsField(),
  ...pipelinesDirEnvFields,
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
});

export type BaseWorkerEnv = z.infer<typeof baseWorkerEnvSchema>;

/** Where a long-running app serves /healthz, /readyz and /metrics; each app has its own default port. */
export const opsEnvFields = {
  /** Unset: the app's own default port; 0: any free port. */
  OPS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Loopback unless you mean to expose the ops endpoints. */
  OPS_HOST: z.string().min(1).default('127.0.0.1'),
};


/** Parses the environment once, at the app edge; each problem names its variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
}
