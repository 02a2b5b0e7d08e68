export { resolveServices, REPO_ROOT, type ResolvedServices, type EndpointSource } from './service-endpoints';
export { integrationEnv, uniqueName, waitFor, type IntegrationEnv } from './integration-env';
export { startApp, parseLogLine, type AppProcess } from './app-process';
export { startPrivateKafka, freePort, type PrivateKafka } from './private-kafka';
