import { InfraError } from './infra.errors';
import { endpointsOf, type Endpoints, type LocalInfraOptions } from './infra.options';
import { clusterHome, createKafkaCluster, runningClusterSize } from './services/kafka-cluster';
import { createKafkaService } from './services/kafka.service';
import { createMongoService } from './services/mongo.service';
import { createRegistryService } from './services/registry.service';
import type { LocalService } from './services/service';

export type ServiceState = 'healthy' | 'starting' | 'stopped' | 'foreign';

export interface ServiceStatus {
  name: string;
  state: ServiceState;
  pid?: number;
  endpoint: string;
  logFile: string;
}

export interface UpResult {
  endpoints: Endpoints;
  /** Services this call started (empty when everything was already running). */
  started: string[];
  provisioned: string[];
}

export function createLocalInfra(options: LocalInfraOptions) {
  const brokers = options.kafkaBrokers ?? 1;
  const kafka = brokers > 1 ? createKafkaCluster(options, { size: brokers }) : [createKafkaService(options)];
  const services: LocalService[] = [...kafka, createRegistryService(options), createMongoService(options)];

  /** The single broker and a cluster share the first node's ports: say which one is in the way. */
  function assertOneKafkaKind(): void {
    const single = createKafkaService(options).pid();
    if (brokers > 1 && single !== undefined) {
      throw new InfraError('PORT_TAKEN', `the single Kafka broker is running (pid ${single}); stop it with "npm run infra:down" before starting a ${brokers}-broker cluster`);
    }
    const nodes = runningClusterSize(options.stateDir);
    if (brokers === 1 && nodes > 0) {
      throw new InfraError('PORT_TAKEN', `a ${nodes}-broker Kafka cluster is running (${clusterHome(options.stateDir)}); use --brokers ${nodes}, or stop it with "npm run infra:down"`);
    }
  }

  async function statusOf(service: LocalService): Promise<ServiceStatus> {
    const pid = service.pid();
    const healthy = await service.healthy();
    const state: ServiceState = pid !== undefined ? (healthy ? 'healthy' : 'starting') : healthy ? 'foreign' : 'stopped';
    return { name: service.name, state, pid, endpoint: service.endpoint, logFile: service.logFile };
  }

  return {
    endpoints: () => endpointsOf(options),

    /** Provisions what is missing, starts what is stopped, waits until each answers. Idempotent. */
    async up(report: (line: string) => void = () => undefined): Promise<UpResult> {
      const provisioned: string[] = [];
      // provision everything first so a missing tool fails before anything starts
      for (const service of services) {
        const started = Date.now();
        if (await service.provision(report)) {
          provisioned.push(service.name);
          report(`${service.name}: provisioned in ${((Date.now() - started) / 1000).toFixed(1)}s`);
        }
      }
      const startedNames: string[] = [];
      assertOneKafkaKind();
      for (const service of services) {
        const running = service.runningEndpoint();
        if (running && running !== service.endpoint) {
          throw new InfraError('PORT_TAKEN', `${service.name} is already running at ${running}, not ${service.endpoint}; run "npm run infra:down" before changing ports`);
        }
      }
      await Promise.all(
        services.map(async (service) => {
          if (service.pid() !== undefined && (await service.healthy())) {
            report(`${service.name}: already running (pid ${service.pid()}) at ${service.endpoint}`);
            return;
          }
          const started = Date.now();
          await service.start();
          startedNames.push(service.name);
          report(`${service.name}: started in ${((Date.now() - started) / 1000).toFixed(1)}s at ${service.endpoint}`);
        }),
      );
      return { endpoints: endpointsOf(options), started: startedNames, provisioned };
    },

    status: () => Promise.all(services.map(statusOf)),

    /** Stops the services we started; returns the names that were running. */
    async down(names?: string[]): Promise<string[]> {
      const stopped: string[] = [];
      await Promise.all(
        services
          .filter((s) => !names || names.includes(s.name))
          .map(async (service) => {
            if (await service.stop()) stopped.push(service.name);
          }),
      );
      return stopped;
    },

    logFiles: () => services.map((s) => ({ name: s.name, logFile: s.logFile })),
  };
}

export type LocalInfra = ReturnType<typeof createLocalInfra>;
