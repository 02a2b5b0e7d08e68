import type { FastifyInstance } from 'fastify';
import { buildApiApp, type ApiRunControl, type ApiToken } from '@brokered-etl/http-api';
import type { Logger } from '@brokered-etl/observability';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';

/**
 * The HTTP API over a spec's run control, listening on a free loopback port
 * (other test runs share the host), with a write token and, when given, a read one.
 */
export async function startApiServer(options: { control: ApiRunControl; logger: Logger; token: string; readToken?: string; exposeRecords?: boolean }): Promise<{ app: FastifyInstance; base: string }> {
  const tokens: ApiToken[] = [{ scope: 'write', token: options.token }, ...(options.readToken ? [{ scope: 'read' as const, token: options.readToken }] : [])];
  const app = await buildApiApp({ control: options.control, pipelines: PIPELINES, logger: options.logger, auth: { kind: 'tokens', tokens }, exposeRecords: options.exposeRecords });
  try {
    return { app, base: await app.listen({ host: '127.0.0.1', port: 0 }) };
  } catch (err) {
    await app.close();
    throw err;
  }
}
