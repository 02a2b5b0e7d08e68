export { baseWorkerEnvSchema, opsEnvFields, parseEnv, ConfigError, type BaseWorkerEnv } from './env.schema';
