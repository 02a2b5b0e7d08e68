import { z } from 'zod';
import { baseWorkerEnvSchema, opsEnvFields } from '@brokered-etl/config';
import type { ApiAuth, ApiToken } from '@brokered-etl/http-api';

const MIN_TOKEN_LENGTH = 16;
// visible ASCII without the comma (the list separator): a token travels in a header
const TOKEN_CHARS = /^[\x21-\x2b\x2d-\x7e]+$/;
const SCOPES = ['read', 'write'] as const;

const HOW_TO_SET = 'set API_TOKENS=read:<token>,write:<token> (or API_TOKEN=<token>, one write token), 16+ characters each';

/** "read:<token>,write:<token>" → tokens; a problem is reported by position, never with the token in it. */
const tokenList = z
  .string()
  .optional()
  .transform((raw, ctx): ApiToken[] => {
    const entries = (raw ?? '').split(',').map((e) => e.trim()).filter(Boolean);
    const tokens: ApiToken[] = [];
    entries.forEach((entry, i) => {
      const colon = entry.indexOf(':');
      const scope = entry.slice(0, colon);
      const token = entry.slice(colon + 1);
      const where = `entry ${i + 1}`;
      if (colon < 0 || !(SCOPES as readonly string[]).includes(scope)) ctx.addIssue({ code: 'custom', message: `${where} must be read:<token> or write:<token>` });
      else if (token.length < MIN_TOKEN_LENGTH) ctx.addIssue({ code: 'custom', message: `${where}: the token must be at least ${MIN_TOKEN_LENGTH} characters` });
      else if (!TOKEN_CHARS.test(token)) ctx.addIssue({ code: 'custom', message: `${where}: the token may hold visible ASCII characters except the comma` });
      else tokens.push({ scope: scope as ApiToken['scope'], token });
    });
    return tokens;
  });

/** Loopback by name or address: the only hosts a token-less API may bind. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = /^(?:::ffff:)?127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return !!v4 && v4.slice(1).every((octet) => Number(octet) <= 255);
}

/** The api's environment: the shared endpoints, where to listen, who may call, what answers may carry, and limits. */
export const apiEnvSchema = baseWorkerEnvSchema
  .extend({
    /** Loopback unless told otherwise: the API can start runs and move offsets. */
    API_HOST: z.string().min(1).default('127.0.0.1'),
    API_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
    /** Tokens with scopes: read (every GET) or write (mutating routes, and read). */
    API_TOKENS: tokenList,
    /** Shorthand for one write token (kept for existing deployments). */
    API_TOKEN: z
      .string()
      .optional()
      .transform((s) => (s === '' ? undefined : s))
      .refine((s) => s === undefined || s.length >= MIN_TOKEN_LENGTH, `must be at least ${MIN_TOKEN_LENGTH} characters (or unset for no token)`)
      .refine((s) => s === undefined || TOKEN_CHARS.test(s), 'may hold visible ASCII characters except the comma'),
    /** none: no token checked, an explicit choice, and only on a loopback API_HOST. */
    API_AUTH: z.enum(['token', 'none']).optional(),
    /** Rejected records' content and dead-letter bytes in answers: off unless asked for, they are the data itself. */
    API_EXPOSE_RECORDS: z
      .enum(['true', 'false'], { message: 'must be true or false' })
      .default('false')
      .transform((s) => s === 'true'),
    /** Mutating requests per minute per client IP (429 beyond). */
    API_WRITES_PER_MINUTE: z.coerce.number().int().min(1).default(60),
    /** Event streams one client IP may hold open (429 beyond). */
    API_EVENT_STREAMS_PER_CLIENT: z.coerce.number().int().min(1).default(5),
    /** /healthz, /readyz, /metrics on a port of their own, never behind the token; OPS_PORT unset: API_OPS_PORT. */
    ...opsEnvFields,
  })
  .superRefine((env, ctx) => {
    const hasTokens = env.API_TOKENS.length > 0 || env.API_TOKEN !== undefined;
    if (env.API_AUTH === 'none') {
      if (hasTokens) ctx.addIssue({ code: 'custom', path: ['API_AUTH'], message: 'none contradicts API_TOKENS/API_TOKEN being set: unset one of them' });
      else if (!isLoopbackHost(env.API_HOST)) {
        ctx.addIssue({
          code: 'custom',
          path: ['API_AUTH'],
          message: `none is refused with API_HOST=${env.API_HOST}: anyone who reaches the port could read records and start runs; ${HOW_TO_SET}, or bind API_HOST=127.0.0.1`,
        });
      }
    } else if (!hasTokens) {
      ctx.addIssue({ code: 'custom', path: ['API_TOKENS'], message: `the API needs a token: ${HOW_TO_SET}; or API_AUTH=none to run without one (loopback API_HOST only)` });
    }
  });

/** Beside the stage workers' 9464-9466 and the scheduler's 9467. */
export const API_OPS_PORT = 9468;

export type ApiEnv = z.infer<typeof apiEnvSchema>;

/** The http lib's auth from the parsed environment: API_TOKEN joins API_TOKENS as a write token. */
export function apiAuthFrom(env: Pick<ApiEnv, 'API_TOKENS' | 'API_TOKEN' | 'API_AUTH'>): ApiAuth {
  const tokens = [...env.API_TOKENS, ...(env.API_TOKEN ? [{ scope: 'write' as const, token: env.API_TOKEN }] : [])];
  return env.API_AUTH === 'none' ? { kind: 'none' } : { kind: 'tokens', tokens };
}

/** For the start-up log line: how callers are checked, never the tokens. */
export function describeAuth(auth: ApiAuth): string {
  if (auth.kind === 'none') return 'none (API_AUTH=none, loopback only)';
  const count = (scope: string) => auth.tokens.filter((t) => t.scope === scope).length;
  return `bearer token on every route but /healthz (${count('read')} read, ${count('write')} write)`;
}
