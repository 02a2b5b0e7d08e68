export { createLocalInfra, type LocalInfra, type ServiceStatus, type UpResult } from './local-infra';
export { localInfraOptionsFromEnv, endpointsOf, VERSIONS, type LocalInfraOptions, type Endpoints } from './infra.options';
export { InfraError } from './infra.errors';
export { createKafkaService, type KafkaScramUser, type KafkaServiceExtras } from './services/kafka.service';
export type { LocalService } from './services/service';
export { freePort, isPortOpen } from './process-control';
export { registryJavaArgs } from './services/registry.service';
export { createKafkaConnectService, MONGO_SINK_CONNECTOR_VERSION, type KafkaConnectService, type KafkaConnectExtras, type ConnectorState } from './services/kafka-connect.service';
export { createMongoService } from './services/mongo.service';
