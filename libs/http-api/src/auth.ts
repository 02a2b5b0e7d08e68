import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { HttpError } from './api-errors';

export const BEARER_SCHEME = 'bearerAuth';
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isMutating(method: RouteOptions['method']): boolean {
  return (Array.isArray(method) ? method : [method]).some((m) => MUTATING.has(m.toUpperCase()));
}

/** Compares digests so the time taken says nothing about how much of the token matched. */
function sameToken(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function bearerGuard(token: string) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    void reply.header('www-authenticate', 'Bearer realm="brokered-etl"');
    if (!header) throw new HttpError(401, 'UNAUTHORIZED', 'this endpoint needs a bearer token: send "Authorization: Bearer <API_TOKEN>"');
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match?.[1] || !sameToken(match[1].trim(), token)) throw new HttpError(401, 'UNAUTHORIZED', 'the bearer token is not the one this server was started with (API_TOKEN)');
    reply.removeHeader('www-authenticate');
  };
}

/**
 * Every mutating route gets the token check and declares the bearer scheme in
 * its OpenAPI operation, from the same decision, so docs and enforcement
 * cannot disagree. Must be installed before the routes are declared.
 */
export function guardMutatingRoutes(app: FastifyInstance, token: string | undefined): void {
  const guard = token ? bearerGuard(token) : undefined;
  app.addHook('onRoute', (route) => {
    if (!isMutating(route.method)) return;
    route.schema = { ...route.schema, security: [{ [BEARER_SCHEME]: [] }] };
    if (!guard) return;
    const existing = route.onRequest ? (Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest]) : [];
    route.onRequest = [guard, ...existing];
  });
}
