import type { ResolvedServices } from './service-endpoints';

export default async function globalTeardown(): Promise<void> {
  const services = (globalThis as Record<string, unknown>)['__ETL_SERVICES__'] as ResolvedServices | undefined;
  await services?.release();
}
