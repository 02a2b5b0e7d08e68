import base, { clientRestrictions } from '../../eslint.config.mjs';

// the one lib that talks to Kafka and the schema registry
export default [...base, { files: ['**/*.ts'], rules: clientRestrictions(['kafkajs', '@kafkajs/confluent-schema-registry', 'avsc']) }];
