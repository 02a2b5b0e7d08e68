export { resolveServices, REPO_ROOT, type ResolvedServices, type EndpointSource } from './service-endpoints';
export { appEnvFor, databaseFor, integrationEnv, testSourceRoots, uniqueName, waitFor, workerEnvFor, type IntegrationEnv } from './integration-env';
export { startApp, parseLogLine, type AppProcess } from './app-process';
export { startPrivateKafka, type PrivateKafka, type PrivateKafkaOptions } from './private-kafka';
export { startPrivateKafkaCluster, type PrivateKafkaCluster } from './private-kafka-cluster';
