import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, RouteOptions } from 'fastify';
import { HttpError } from './api-errors';
import { errorResponse } from './schemas/error.schema';

export const BEARER_SCHEME = 'bearerAuth';
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** read: every GET; write: every mutating route, and implies read. */
export type ApiScope = 'read' | 'write';
export interface ApiToken {
  token: string;
  scope: ApiScope;
}
/** Tokens, or an explicit decision to run without (the app only allows that on loopback). */
export type ApiAuth = { kind: 'tokens'; tokens: readonly ApiToken[] } | { kind: 'none' };

/** public: no token at all (liveness, the console's static shell, which holds no data). */
export type RouteAccess = 'public' | ApiScope;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; unset: read for GETs, write for mutating methods. */
    access?: RouteAccess;
  }
}

export function isMutating(method: RouteOptions['method']): boolean {
  return (Array.isArray(method) ? method : [method]).some((m) => MUTATING.has(m.toUpperCase()));
}

export function routeAccess(route: Pick<RouteOptions, 'method' | 'config'>): RouteAccess {
  return route.config?.access ?? (isMutating(route.method) ? 'write' : 'read');
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * The scope of a presented token, or undefined. Digests have one length, so
 * timingSafeEqual applies; every token is compared (no early exit) so the time
 * taken says nothing about which token, or how much of one, matched.
 */
function scopeOf(given: string, tokens: ReadonlyArray<{ digest: Buffer; scope: ApiScope }>): ApiScope | undefined {
  const presented = digest(given);
  let scope: ApiScope | undefined;
  for (const t of tokens) {
    if (timingSafeEqual(presented, t.digest) && scope !== 'write') scope = t.scope;
  }
  return scope;
}

function bearerGuard(tokens: readonly ApiToken[], needs: ApiScope): onRequestHookHandler {
  const known = tokens.map((t) => ({ digest: digest(t.token), scope: t.scope }));
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    void reply.header('www-authenticate', 'Bearer realm="brokered-etl"');
    if (!header) throw new HttpError(401, 'UNAUTHORIZED', 'this endpoint needs a bearer token: send "Authorization: Bearer <token>" (a token from API_TOKENS or API_TOKEN)');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const scope = match?.[1] ? scopeOf(match[1], known) : undefined;
    if (!scope) throw new HttpError(401, 'UNAUTHORIZED', 'the bearer token is not one this server was started with (API_TOKENS / API_TOKEN)');
    reply.removeHeader('www-authenticate');
    if (needs === 'write' && scope !== 'write') throw new HttpError(403, 'FORBIDDEN', `${request.method} ${request.routeOptions.url ?? ''} needs a token with the write scope; this one has read only`);
  };
}

const asArray = <T>(hooks: T | T[] | undefined): T[] => (hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]);

/**
 * Every route gets its access check and its OpenAPI security from the same
 * decision (routeAccess), so docs and enforcement cannot disagree: public
 * routes declare `security: []`, the others the bearer scheme, a 401, and
 * write routes a 403 (and a 429 when rate limited). `beforeGuard` runs first on write routes (the rate
 * limit: a flood of bad tokens is throttled too). Install before any route.
 */
export function guardRoutes(app: FastifyInstance, auth: ApiAuth, beforeGuard: { write: onRequestHookHandler[] }): void {
  const guards = auth.kind === 'tokens' ? { read: bearerGuard(auth.tokens, 'read'), write: bearerGuard(auth.tokens, 'write') } : undefined;
  app.addHook('onRoute', (route) => {
    const access = routeAccess(route);
    if (access === 'public') {
      route.schema = { ...route.schema, security: [] };
      return;
    }
    const responses = route.schema?.response as Record<number, unknown> | undefined;
    const statuses = access === 'read' ? [401] : beforeGuard.write.length ? [401, 403, 429] : [401, 403];
    const scopeNote = `Needs a bearer token with the ${access} scope${access === 'write' ? '' : ' (a write token also reads)'}.`;
    route.schema = {
      ...route.schema,
      security: [{ [BEARER_SCHEME]: [] }],
      ...(route.schema?.hide ? {} : { description: [route.schema?.description, scopeNote].filter(Boolean).join(' ') }),
      ...(responses ? { response: { ...Object.fromEntries(statuses.map((s) => [s, errorResponse(s)])), ...responses } } : {}),
    };
    const first = access === 'write' ? beforeGuard.write : [];
    route.onRequest = [...first, ...(guards ? [guards[access]] : []), ...asArray(route.onRequest)];
  });
}
