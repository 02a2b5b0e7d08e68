import { parseEnv, secretsOf } from '@brokered-etl/config';
import { buildApiApp } from '@brokered-etl/http-api';
import { installShutdown } from '@brokered-etl/lifecycle';
import { createApiMetrics, createMetricsRegistry, createRootLogger, redactSecrets, registerSecrets, startOpsServer } from '@brokered-etl/observability';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { connectRunControl } from '@brokered-etl/run-control';
import { API_OPS_PORT, apiAuthFrom, apiEnvSchema, describeAuth } from './api.config';

/** api: the HTTP API and web console over run control (trigger, follow, rerun, replay, redrive). */
async function main(): Promise<void> {
  const env = parseEnv(apiEnvSchema, process.env);
  registerSecrets([...secretsOf(env), ...env.API_TOKENS.map((t) => t.token)]);
  const logger = createRootLogger({ service: 'api', level: env.LOG_LEVEL, format: env.LOG_FORMAT });
  const registry = createMetricsRegistry();
  const metrics = createApiMetrics({ registry });
  const connected = await connectRunControl(env, logger, PIPELINES.map((p) => p.name));
  const auth = apiAuthFrom(env);
  const app = await buildApiApp({
    control: connected.control,
    pipelines: PIPELINES,
    logger,
    auth,
    exposeRecords: env.API_EXPOSE_RECORDS,
    writesPerMinute: env.API_WRITES_PER_MINUTE,
    eventStreamsPerClient: env.API_EVENT_STREAMS_PER_CLIENT,
    onResponse: (r) => metrics.requestDone(r),
  });
  const state = { listening: false, stopping: false };
  const ops = await startOpsServer({
    host: env.OPS_HOST,
    port: env.OPS_PORT,
    defaultPort: API_OPS_PORT,
    logger,
    registry,
    // every answer reads staging: ready = listening and the database answers (the bound turns a hang into a 503)
    readiness: async () => {
      if (!state.listening || state.stopping) return { ok: false, reason: state.stopping ? 'stopping' : 'starting' };
      await connected.control.listRuns({ limit: 1 });
      return { ok: true };
    },
  });
  installShutdown(logger, async () => {
    state.stopping = true;
    await app.close();
    await connected.close();
    await ops.close();
  });
  await app.listen({ host: env.API_HOST, port: env.API_PORT });
  state.listening = true;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : env.API_PORT;
  logger.info('api listening', { url: `http://${env.API_HOST}:${port}/`, port, auth: describeAuth(auth), exposeRecords: env.API_EXPOSE_RECORDS });
}

main().catch((err: unknown) => {
  // one line (config problems come as a list): a container log's last line then says what to set
  process.stderr.write(`api: cannot start: ${redactSecrets(err instanceof Error ? err.message : String(err)).replace(/\n\s*/g, ' ')}\n`);
  process.exit(1);
});
