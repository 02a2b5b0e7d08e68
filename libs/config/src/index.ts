export { baseWorkerEnvSchema, opsEnvFields, parseEnv, ConfigError, type BaseWorkerEnv } from './env.schema';
export { kafkaSecurityEnvFields, kafkaSecurityOf, secretsOf, type KafkaSecurityConfig } from './kafka-security.env';
export { kafkaTopicEnvFields, kafkaTopicSettingsOf, type KafkaTopicSettings } from './kafka-topics.env';
export { pipelinesDirEnvFields, pipelinesDirOf } from './pipelines-dir.env';
