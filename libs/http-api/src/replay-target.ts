import { parseIsoDuration, type ResetTarget } from '@brokered-etl/replay';
import { badRequest } from './api-errors';
import type { ReplayBody } from './schemas/replay.schemas';

const TARGETS = ['toEarliest', 'toLatest', 'toDatetime', 'toOffset', 'byDuration'] as const;

/** The replay body's target, with the CLI's rules: exactly one of to*|byDuration; partition only with toOffset. */
export function replayTargetOf(body: ReplayBody): ResetTarget {
  const chosen = TARGETS.filter((name) => body[name] !== undefined && body[name] !== false);
  if (chosen.length !== 1) {
    throw badRequest(`give exactly one of ${TARGETS.map((t) => `body.${t}`).join(', ')}${chosen.length ? ` (got ${chosen.join(', ')})` : ''}`, chosen.length ? `body.${chosen[1]}` : 'body');
  }
  if (body.partition !== undefined && body.toOffset === undefined) throw badRequest('body.partition goes with body.toOffset', 'body.partition');
  const [target] = chosen;
  switch (target) {
    case 'toEarliest':
      return { kind: 'earliest' };
    case 'toLatest':
      return { kind: 'latest' };
    case 'toDatetime': {
      const text = String(body.toDatetime);
      const at = new Date(text);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(at.getTime())) throw badRequest(`body.toDatetime "${text}" is not an ISO date-time (e.g. 2026-11-26T10:00:00Z)`, 'body.toDatetime');
      return { kind: 'datetime', at };
    }
    case 'toOffset':
      return { kind: 'offset', offset: String(body.toOffset), partition: body.partition };
    default:
      try {
        return { kind: 'duration', ms: parseIsoDuration(String(body.byDuration)) };
      } catch (err) {
        throw badRequest(`body.byDuration: ${(err as Error).message}`, 'body.byDuration');
      }
  }
}
