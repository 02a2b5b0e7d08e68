import type { EnrichmentRequest } from '@brokered-etl/pipeline-kit';
import { retryAfterMs } from './retry-after';

/**
 * How one attempt ended, as the retry policy needs it:
 * an answer (200), a job accepted (202), worth retrying (429, 408, 5xx, timeout,
 * connection error; with the service's Retry-After when it gave one), or refused for good (any other 4xx).
 */
export type AttemptOutcome =
  | { kind: 'answer'; status: number; body: unknown }
  | { kind: 'accepted'; status: number; body: unknown }
  | { kind: 'retry'; status: number | 'timeout' | 'error'; reason: string; retryAfterMs?: number }
  | { kind: 'refused'; status: number; reason: string };

const MAX_REASON = 300;

/** One HTTP attempt with Node's fetch (undici), bounded by timeoutMs and by the caller's signal. */
export async function attemptCall(baseUrl: string, request: EnrichmentRequest, timeoutMs: number, signal: AbortSignal): Promise<AttemptOutcome> {
  const timeout = AbortSignal.timeout(timeoutMs);
  let response: Response;
  let body: unknown;
  try {
    response = await fetch(new URL(request.path, baseUrl), {
      method: request.method ?? (request.body === undefined ? 'GET' : 'POST'),
      headers: request.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.any([signal, timeout]),
    });
    body = await readBody(response);
  } catch (err) {
    // our own stop is not the service's failure: let the caller see the abort
    if (signal.aborted) throw signal.reason ?? err;
    if (timeout.aborted) return { kind: 'retry', status: 'timeout', reason: `no answer within ${timeoutMs} ms` };
    return { kind: 'retry', status: 'error', reason: causeOf(err) };
  }
  const status = response.status;
  if (status === 200 || status === 201 || status === 203) return { kind: 'answer', status, body };
  if (status === 202) return { kind: 'accepted', status, body };
  if (status === 429 || status === 408 || status >= 500) {
    return { kind: 'retry', status, reason: `${status} ${reasonOf(body)}`.trim(), retryAfterMs: retryAfterMs(response.headers.get('retry-after')) };
  }
  return { kind: 'refused', status, reason: `${status} ${reasonOf(body)}`.trim() };
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The service's own words where it gave some ({reason}, {message}, {error} or plain text), cut short. */
function reasonOf(body: unknown): string {
  const fromObject = body && typeof body === 'object' ? ['reason', 'message', 'error'].map((k) => (body as Record<string, unknown>)[k]).find((v) => typeof v === 'string') : undefined;
  const text = typeof fromObject === 'string' ? fromObject : typeof body === 'string' ? body : '';
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON)}…` : text;
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
