import type { FastifyInstance } from 'fastify';

/**
 * Liveness of the HTTP server, open to anyone (load balancers, compose
 * healthchecks carry no token). Says nothing else: readiness and metrics are
 * on the ops port.
 */
export function healthRoute(app: FastifyInstance): void {
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Liveness: the API answers (no token needed)',
        response: { 200: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } } },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
}
