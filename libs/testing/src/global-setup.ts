import { resolveServices } from './service-endpoints';

/** Jest globalSetup for *.int.spec.ts: finds or starts the services once per run. */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const services = await resolveServices(process.env, (line) => process.stderr.write(`[infra] ${line}\n`));
  // test files read these; workers inherit the environment
  process.env['KAFKA_BROKERS'] = services.endpoints.kafkaBrokers;
  process.env['SCHEMA_REGISTRY_URL'] = services.endpoints.schemaRegistryUrl;
  process.env['MONGO_URL'] = services.endpoints.mongoUrl;
  (globalThis as Record<string, unknown>)['__ETL_SERVICES__'] = services;
  process.stderr.write(`[infra] services from ${services.source} ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
}
