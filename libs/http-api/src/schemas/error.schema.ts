/** Every 4xx/5xx body: a stable code to branch on, a message for people, the request to find in the log. */
export const errorSchema = {
  type: 'object',
  required: ['code', 'message', 'requestId'],
  properties: {
    code: { type: 'string', description: 'BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, UNKNOWN_PIPELINE, BAD_PARAMS, GROUP_ACTIVE, CONFLICT, UNSUPPORTED_MEDIA_TYPE, PAYLOAD_TOO_LARGE, RATE_LIMITED, TOO_MANY_STREAMS, SERVICE_UNAVAILABLE, INTERNAL' },
    message: { type: 'string' },
    field: { type: 'string', description: 'the offending input, e.g. body.pipeline or query.limit' },
    details: { type: 'object', additionalProperties: true },
    requestId: { type: 'string' },
  },
} as const;

export interface ErrorBody {
  code: string;
  message: string;
  field?: string;
  details?: Record<string, unknown>;
  requestId: string;
}

/** Responses for a route: its successes plus the error statuses it can answer. */
export function withErrors<R extends Record<number, unknown>>(success: R, errors: number[]) {
  const out: Record<number, unknown> = { ...success };
  for (const status of errors) out[status] = errorResponse(status);
  return out;
}

/** One error status as an OpenAPI response: its meaning and the error body. */
export const errorResponse = (status: number) => ({ description: ERROR_DESCRIPTIONS[status] ?? 'error', ...errorSchema });

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'bad input: the message and field say what to fix',
  401: 'missing or wrong bearer token (every route but /healthz needs one, unless the server runs with API_AUTH=none)',
  403: 'the token has the read scope; this operation needs write',
  404: 'no such run, dead letter or route',
  409: 'refused in the current state (e.g. replay while the stage has active workers)',
  413: 'body larger than the server accepts',
  415: 'body is not application/json',
  429: 'too many requests from this client (see Retry-After)',
  503: 'a dependency (Kafka, registry, MongoDB) is unavailable; retry later',
};
