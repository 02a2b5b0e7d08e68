export { baseWorkerEnvSchema, parseEnv, ConfigError, type BaseWorkerEnv } from './env.schema';
