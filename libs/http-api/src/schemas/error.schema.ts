/** Every 4xx/5xx body: a stable code to branch on, a message for people, the request to find in the log. */
export const errorSchema = {
  type: 'object',
  required: ['code', 'message', 'requestId'],
  properties: {
    code: { type: 'string', description: 'BAD_REQUEST, UNAUTHORIZED, NOT_FOUND, UNKNOWN_PIPELINE, BAD_PARAMS, GROUP_ACTIVE, CONFLICT, UNSUPPORTED_MEDIA_TYPE, PAYLOAD_TOO_LARGE, SERVICE_UNAVAILABLE, INTERNAL' },
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
  for (const status of errors) out[status] = { description: ERROR_DESCRIPTIONS[status] ?? 'error', ...errorSchema };
  return out;
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'bad input: the message and field say what to fix',
  401: 'missing or wrong bearer token (only when the server has API_TOKEN)',
  404: 'no such run, dead letter or route',
  409: 'refused in the current state (e.g. replay while the stage has active workers)',
  415: 'body is not application/json',
  503: 'a dependency (Kafka, registry, MongoDB) is unavailable; retry later',
};
