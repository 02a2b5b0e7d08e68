import { GenericContainer, Network, Wait } from 'testcontainers';
import { KafkaContainer } from '@testcontainers/kafka';
import { MongoDBContainer } from '@testcontainers/mongodb';
import type { ResolvedServices } from './service-endpoints';

/** The Docker path: the same images docker/compose.yml uses. */
export async function startContainers(report: (line: string) => void): Promise<ResolvedServices> {
  report('starting Kafka, Apicurio Registry and MongoDB containers');
  const network = await new Network().start();
  const [kafka, registry, mongo] = await Promise.all([
    new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().withNetwork(network).start(),
    new GenericContainer('apicurio/apicurio-registry:3.3.3')
      .withEnvironment({ APICURIO_CCOMPAT_USE_CANONICAL_HASH: 'true' })
      .withExposedPorts(8080)
      .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
      .start(),
    new MongoDBContainer('mongo:7').start(),
  ]);
  return {
    source: 'testcontainers',
    endpoints: {
      kafkaBrokers: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
      schemaRegistryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
      mongoUrl: `${mongo.getConnectionString()}/?directConnection=true`,
    },
    release: async () => {
      await Promise.all([kafka.stop(), registry.stop(), mongo.stop()]);
      await network.stop();
    },
  };
}
