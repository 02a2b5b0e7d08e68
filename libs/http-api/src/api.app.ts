import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { createErrorHandler, notFoundHandler } from './api-errors';
import { API_DEFAULTS, type ApiOptions } from './api.options';
import { guardRoutes } from './auth';
import { openApiRoute, registerOpenApi } from './openapi';
import { coerceQueryStrings } from './query-coercion';
import { writeRateLimiter } from './rate-limit';
import { recordRoutes } from './route-table';
import { dlqRoutes } from './routes/dlq.routes';
import { healthRoute } from './routes/health.route';
import { pipelinesRoutes } from './routes/pipelines.routes';
import { replayRoutes } from './routes/replay.routes';
import { runEventsRoute } from './routes/run-events.route';
import { runsRoutes } from './routes/runs.routes';
import { webRoutes } from './routes/web.routes';
import { DEFAULT_WEB_ROOT, loadWebAssets } from './web-assets';

/**
 * The HTTP API and its web console over a run control. Not listening yet:
 * the app calls listen (tests use inject or port 0).
 */
export async function buildApiApp(options: ApiOptions): Promise<FastifyInstance> {
  const logger = options.logger.child({ module: 'http' });
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimitBytes ?? API_DEFAULTS.bodyLimitBytes,
    genReqId: () => randomUUID().slice(0, 8),
    // a body of the wrong type is a 400, never silently converted; query strings are coerced by their schema (query-coercion.ts)
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false, allowUnionTypes: true } },
    routerOptions: { ignoreTrailingSlash: true },
  });

  // JSON only: a text/plain POST (which any web page may send cross-origin) is a 415, not a body to validate
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(createErrorHandler(logger));
  app.setNotFoundHandler(notFoundHandler);
  app.addHook('onSend', async (request, reply) => void reply.header('x-request-id', request.id));
  app.addHook('onResponse', async (request, reply) => {
    const fields = { requestId: request.id, method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    // polling GETs would drown the log at info; what changes something, or fails, is worth a line
    if (request.method === 'GET' && reply.statusCode < 400) logger.debug('request', fields);
    else logger.info('request', fields);
    // the route pattern, never the raw URL: run ids must not become metric labels
    options.onResponse?.({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode, seconds: reply.elapsedTime / 1000 });
  });
  coerceQueryStrings(app);
  recordRoutes(app);

  await registerOpenApi(app, options.auth);
  const limitWrites = await writeRateLimiter(app, options.writesPerMinute ?? API_DEFAULTS.writesPerMinute);
  guardRoutes(app, options.auth, { write: [limitWrites] });

  const deps = { control: options.control, pipelines: options.pipelines, logger, exposeRecords: options.exposeRecords ?? false };
  healthRoute(app);
  runsRoutes(app, deps);
  runEventsRoute(app, deps, {
    pollMs: options.eventsPollMs ?? API_DEFAULTS.eventsPollMs,
    keepAliveMs: options.eventsKeepAliveMs ?? API_DEFAULTS.eventsKeepAliveMs,
    perClient: options.eventStreamsPerClient ?? API_DEFAULTS.eventStreamsPerClient,
  });
  dlqRoutes(app, deps);
  replayRoutes(app, deps);
  pipelinesRoutes(app, deps);
  openApiRoute(app);
  webRoutes(app, loadWebAssets(options.webRoot ?? DEFAULT_WEB_ROOT));
  return app;
}
