import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isEtlError, type ErrorCode } from '@brokered-etl/errors';
import { redactSecrets, type Logger } from '@brokered-etl/observability';
import type { ErrorBody } from './schemas/error.schema';

/** An answer the API gives on purpose (4xx): status, stable code, message, the field at fault. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string, field?: string) => new HttpError(400, 'BAD_REQUEST', message, field);
export const notFound = (message: string) => new HttpError(404, 'NOT_FOUND', message);

/**
 * EtlError codes as HTTP statuses. User mistakes are 4xx; dependencies away
 * are 503 (retriable); anything else is a 500 we log.
 */
const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  UNKNOWN_PIPELINE: 400,
  BAD_PARAMS: 400,
  VALIDATION_FAILED: 400,
  NOT_FOUND: 404,
  GROUP_ACTIVE: 409,
  BROKER_UNAVAILABLE: 503,
  REGISTRY_UNAVAILABLE: 503,
  DATABASE_UNAVAILABLE: 503,
  DEPENDENCY_TIMEOUT: 503,
};

/** Fastify's own 4xx errors (parsing, content type, size) under our codes. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_REQUEST',
};

interface Mapped {
  status: number;
  body: Omit<ErrorBody, 'requestId'>;
}

/** Ajv's first complaint as "body.params.source must be string", naming the field. */
function fromValidation(err: FastifyError, first: NonNullable<FastifyError['validation']>[number]): Mapped {
  const part = err.validationContext === 'querystring' ? 'query' : (err.validationContext ?? 'body');
  const missing = (first.params as { missingProperty?: string }).missingProperty;
  const extra = (first.params as { additionalProperty?: string }).additionalProperty;
  const path = first.instancePath.split('/').filter(Boolean);
  const field = [part, ...path, ...(missing ? [missing] : []), ...(extra ? [extra] : [])].join('.');
  let message: string;
  if (missing) message = `${field} is required`;
  else if (extra) message = `${field} is not a known field`;
  else if (first.keyword === 'enum') message = `${field} must be one of ${(first.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  else message = `${field} ${first.message ?? 'is invalid'}`;
  return { status: 400, body: { code: 'BAD_REQUEST', message, field } };
}

function mapError(err: unknown): Mapped {
  if (err instanceof HttpError) return { status: err.statusCode, body: { code: err.code, message: err.message, field: err.field, details: err.details } };
  if (isEtlError(err)) {
    const status = STATUS_OF[err.code];
    if (status) return { status, body: { code: err.code, message: redactSecrets(err.message), details: err.details } };
    return { status: 500, body: { code: 'INTERNAL', message: 'internal error' } };
  }
  const fe = err as FastifyError;
  const firstProblem = fe?.validation?.[0];
  if (firstProblem) return fromValidation(fe, firstProblem);
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = FASTIFY_CODES[fe.code] ?? (fe.statusCode === 404 ? 'NOT_FOUND' : 'BAD_REQUEST');
    const message = fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe instanceof SyntaxError ? `body is not valid JSON: ${fe.message}` : fe.message;
    return { status: fe.statusCode, body: { code, message } };
  }
  return { status: 500, body: { code: 'INTERNAL', message: 'internal error' } };
}

/** The app's one error handler: a JSON body with the request id; 5xx logged with the stack. */
export function createErrorHandler(logger: Logger) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = mapError(err);
    if (status >= 500) {
      const e = err as Error;
      logger.error('request failed', { requestId: request.id, method: request.method, url: request.url, code: isEtlError(err) ? err.code : e?.name, error: e?.message, stack: e?.stack });
      if (status === 500) body.message = `internal error; the api log has the details under request ${request.id}`;
    }
    if (status === 503) void reply.header('retry-after', '5');
    return reply.status(status).send({ ...body, requestId: request.id } satisfies ErrorBody);
  };
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  return reply.status(404).send({ code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]} (see GET /openapi.json)`, requestId: request.id } satisfies ErrorBody);
}
