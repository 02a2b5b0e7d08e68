import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../api-errors';
import { deadLetterDetail, deadLetterSummary } from '../dead-letter.view';
import { deadLetterIdParams, deadLetterSchema, deadLetterSummarySchema, listDeadLettersQuery, redriveBodySchema, redriveResultSchema, type RedriveBody } from '../schemas/dlq.schemas';
import { withErrors } from '../schemas/error.schema';
import type { RouteDeps } from './route-deps';

export function dlqRoutes(app: FastifyInstance, { control, exposeRecords }: RouteDeps): void {
  app.get<{ Querystring: { runId?: string; stage?: string; all: boolean; limit: number } }>(
    '/dlq',
    {
      schema: {
        tags: ['dead letters'],
        summary: 'Dead letters, newest first (open ones unless all=true)',
        querystring: listDeadLettersQuery,
        response: withErrors({ 200: { type: 'object', properties: { deadLetters: { type: 'array', items: deadLetterSummarySchema } } } }, [400, 503]),
      },
    },
    async (request) => {
      const { runId, stage, all, limit } = request.query;
      const letters = await control.listDeadLetters({ runId, stage, open: !all, limit });
      return { deadLetters: letters.map((d) => deadLetterSummary(d, exposeRecords)) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/dlq/:id',
    {
      schema: {
        tags: ['dead letters'],
        summary: 'One dead letter: error, origin topic/partition/offset, headers, the record',
        description: 'record, key, value and headers only when the server runs with API_EXPOSE_RECORDS=true.',
        params: deadLetterIdParams,
        response: withErrors({ 200: deadLetterSchema }, [400, 404, 503]),
      },
    },
    async (request) => {
      const letter = await control.getDeadLetter(request.params.id);
      if (!letter) throw notFound(`no dead letter "${request.params.id}" (see GET /dlq)`);
      return deadLetterDetail(letter, exposeRecords);
    },
  );

  app.post<{ Body: RedriveBody }>(
    '/dlq/redrive',
    {
      schema: {
        tags: ['dead letters'],
        summary: "Republish dead letters' original bytes to their original topic (after fixing the cause)",
        description: 'Give exactly one of runId (every open dead letter of that run) or ids. A redriven record that now passes counts into its run; one that fails again is dead-lettered again under the same id.',
        body: redriveBodySchema,
        response: withErrors({ 202: { description: 'republished; the stages process them asynchronously', ...redriveResultSchema } }, [400, 401, 404, 415, 503]),
      },
    },
    async (request, reply) => {
      const { runId, ids, refreshEnrichment } = request.body;
      if ((runId === undefined) === (ids === undefined)) throw badRequest('give exactly one of body.runId or body.ids', runId === undefined ? 'body.runId' : 'body.ids');
      const result = await control.redrive(runId !== undefined ? { runId } : { ids: ids ?? [] }, { refreshEnrichment });
      return reply.status(202).send(result);
    },
  );
}
