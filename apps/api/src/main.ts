import { parseEnv } from '@brokered-etl/config';
import { buildApiApp } from '@brokered-etl/http-api';
import { installShutdown } from '@brokered-etl/lifecycle';
import { createRootLogger } from '@brokered-etl/observability';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { connectRunControl } from '@brokered-etl/run-control';
import { apiEnvSchema } from './api.config';

/** api: the HTTP API and web console over run control (trigger, follow, rerun, replay, redrive). */
async function main(): Promise<void> {
  const env = parseEnv(apiEnvSchema, process.env);
  const logger = createRootLogger({ service: 'api', level: env.LOG_LEVEL, format: env.LOG_FORMAT });
  const connected = await connectRunControl(env, logger, PIPELINES.map((p) => p.name));
  const app = await buildApiApp({ control: connected.control, pipelines: PIPELINES, logger, token: env.API_TOKEN });
  installShutdown(logger, async () => {
    await app.close();
    await connected.close();
  });
  await app.listen({ host: env.API_HOST, port: env.API_PORT });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : env.API_PORT;
  logger.info('api listening', { url: `http://${env.API_HOST}:${port}/`, port, auth: env.API_TOKEN ? 'bearer token on mutating endpoints' : 'none (API_TOKEN unset)' });
}

main().catch((err: unknown) => {
  process.stderr.write(`api: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
