import type { FastifyInstance } from 'fastify';
import { HttpError, notFound } from '../api-errors';
import { withErrors } from '../schemas/error.schema';
import { runIdParams } from '../schemas/run.schemas';
import { followRun, type ProgressEvent } from '../run-progress';
import type { RouteDeps } from './route-deps';

export interface EventStreamOptions {
  pollMs: number;
  keepAliveMs: number;
  /** Streams one client (IP) may hold open at once: each one polls staging every pollMs. */
  perClient: number;
}

/**
 * Server-sent events of one run: `progress` whenever its status or counts
 * change, then one `end` when it completed or failed, then the stream closes
 * (clients should close their EventSource on `end`, or it reconnects).
 * Open streams end when the server closes.
 */
export function runEventsRoute(app: FastifyInstance, { control, logger }: RouteDeps, options: EventStreamOptions): void {
  const open = new Set<AbortController>();
  app.addHook('preClose', async () => open.forEach((c) => c.abort()));
  const perClient = new Map<string, number>();
  const release = (ip: string) => {
    const left = (perClient.get(ip) ?? 1) - 1;
    if (left > 0) perClient.set(ip, left);
    else perClient.delete(ip);
  };

  app.get<{ Params: { id: string } }>(
    '/runs/:id/events',
    {
      schema: {
        tags: ['runs'],
        summary: 'Live progress of a run as server-sent events (progress…, end)',
        description: 'event: progress | end; data: {runId, status, generation, counts, totalChunks, totalRecords, requestedAt, startedAt, sourceEndedAt, finishedAt, reopenedAt, failure}. Comment lines keep the connection alive.',
        params: runIdParams,
        produces: ['text/event-stream'],
        response: withErrors({ 200: { description: 'text/event-stream of progress events', content: { 'text/event-stream': { schema: { type: 'string' } } } } }, [400, 404, 429, 503]),
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      // a slot is taken before the first await, so concurrent opens cannot all squeeze past the count
      const ip = request.ip;
      if ((perClient.get(ip) ?? 0) >= options.perClient) {
        void reply.header('retry-after', '5');
        throw new HttpError(429, 'TOO_MANY_STREAMS', `this client already has ${options.perClient} event streams open; close one (or poll GET /runs/${id})`);
      }
      perClient.set(ip, (perClient.get(ip) ?? 0) + 1);
      let first;
      try {
        // the existence check is the stream's first poll: its snapshot is sent, not read again
        first = await control.describeRun(id);
        if (!first) throw notFound(`no run "${id}" (see GET /runs)`);
      } catch (err) {
        release(ip);
        throw err;
      }

      const stop = new AbortController();
      open.add(stop);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      });
      res.write(`retry: 2000\n\n`);
      const keepAlive = setInterval(() => res.write(`: keep-alive\n\n`), options.keepAliveMs);
      // the client went away: stop polling for it
      res.once('close', () => stop.abort());

      let seq = 0;
      const send = (event: ProgressEvent) => res.write(`id: ${++seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event.snapshot)}\n\n`);
      try {
        for await (const event of followRun(control, id, {
          first,
          everyMs: options.pollMs,
          signal: stop.signal,
          onPollError: (err) => logger.warn('run events: poll failed, retrying', { runId: id, requestId: request.id, error: (err as Error).message }),
        })) {
          send(event);
        }
      } finally {
        clearInterval(keepAlive);
        open.delete(stop);
        release(ip);
        res.end();
      }
    },
  );
}
