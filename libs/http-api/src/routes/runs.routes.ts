import type { FastifyInstance } from 'fastify';
import { isEtlError } from '@brokered-etl/errors';
import { INLINE_RECORDS_PARAM } from '@brokered-etl/pipeline-kit';
import type { RerunFrom } from '@brokered-etl/replay';
import { pollUntilRunEnds } from '@brokered-etl/run-control';
import { HttpError, notFound } from '../api-errors';
import { rejectionView } from '../rejection.view';
import { withErrors } from '../schemas/error.schema';
import { listRunsQuery, rejectionSchema, rerunBodySchema, rerunResultSchema, runIdParams, runSchema, triggerBodySchema, triggeredSchema, triggerQuery, type TriggerBody, type TriggerQuery } from '../schemas/run.schemas';
import type { RouteDeps } from './route-deps';

const waitedSchema = { ...triggeredSchema, properties: { ...triggeredSchema.properties, run: runSchema } } as const;

/** A run's detail shows its first rejected records; the rest are in GET /dlq?runId=…. */
const REJECTIONS_SHOWN = 100;

/** How often a waiting POST /runs looks at its run. */
const WAIT_POLL_MS = 100;

/** Run control's refusal of one param value (details.field) as a 400 naming it the way the API names fields. */
function paramFault(err: unknown): HttpError | undefined {
  const field = isEtlError(err) && err.code === 'BAD_PARAMS' ? err.details?.['field'] : undefined;
  if (typeof field !== 'string') return undefined;
  return new HttpError(400, 'BAD_PARAMS', (err as Error).message, field === INLINE_RECORDS_PARAM ? 'body.records' : `body.params.${field}`);
}

/** Inline records are record contents: shown only with API_EXPOSE_RECORDS, else said to be there. */
function paramsView(params: Record<string, string> | undefined, exposeRecords: boolean): Record<string, string> | undefined {
  const inline = params?.[INLINE_RECORDS_PARAM];
  if (exposeRecords || inline === undefined) return params;
  return { ...params, [INLINE_RECORDS_PARAM]: `(${Buffer.byteLength(inline)} bytes of inline records, shown with API_EXPOSE_RECORDS=true)` };
}

export function runsRoutes(app: FastifyInstance, { control, pipelines, exposeRecords }: RouteDeps): void {
  const runView = <R extends { params?: Record<string, string> }>(run: R): R => ({ ...run, params: paramsView(run.params, exposeRecords) });

  app.post<{ Body: TriggerBody; Querystring: TriggerQuery }>(
    '/runs',
    {
      schema: {
        tags: ['runs'],
        summary: 'Start a run now (sends RunRequested; the extractor does the rest); with ?wait=true, answer when it is done',
        body: triggerBodySchema,
        querystring: triggerQuery,
        response: withErrors(
          {
            200: { description: 'with wait: the run completed or failed (see run.status)', ...waitedSchema },
            202: { description: 'requested (with wait: not finished within timeoutMs, run is how far it got); follow it at links.events', ...waitedSchema },
          },
          [400, 401, 415, 503],
        ),
      },
    },
    async (request, reply) => {
      const { pipeline, params = {}, runId, records } = request.body;
      const known = pipelines.find((p) => p.name === pipeline);
      // an unknown pipeline is refused by trigger itself, with the list of known ones
      if (known) {
        const unknown = Object.keys(params).find((name) => !(name in known.params));
        if (unknown) throw new HttpError(400, 'BAD_PARAMS', `pipeline "${pipeline}" has no param "${unknown}"; it takes: ${Object.keys(known.params).join(', ')}`, `body.params.${unknown}`);
      }
      // inline records travel as one param, staged with the run (run control checks them against the pipeline's extracted record)
      const runParams = records ? { ...params, [INLINE_RECORDS_PARAM]: JSON.stringify(records) } : params;
      const requested = await control.trigger({ pipeline, params: runParams, runId, requestedBy: 'api' }).catch((err: unknown) => {
        throw paramFault(err) ?? err;
      });
      const run = `/runs/${encodeURIComponent(requested.runId)}`;
      const answer = { runId: requested.runId, pipeline, params: paramsView(requested.params, exposeRecords), requestedAt: requested.requestedAt, links: { run, events: `${run}/events` } };
      if (!request.query.wait) return reply.status(202).header('location', run).send(answer);
      // the response closing before it is sent: the client has gone, stop polling for it
      const gone = new AbortController();
      reply.raw.once('close', () => gone.abort());
      const { finished, run: current } = await pollUntilRunEnds((id) => control.describeRun(id), requested.runId, { timeoutMs: request.query.timeoutMs, everyMs: WAIT_POLL_MS, signal: gone.signal });
      return reply
        .status(finished ? 200 : 202)
        .header('location', run)
        .send({ ...answer, run: current && runView(current) });
    },
  );

  app.get<{ Querystring: { limit: number; pipeline?: string } }>(
    '/runs',
    {
      schema: {
        tags: ['runs'],
        summary: 'Recent runs, newest first; runs still going carry live counts',
        querystring: listRunsQuery,
        response: withErrors({ 200: { type: 'object', properties: { runs: { type: 'array', items: runSchema } } } }, [400, 503]),
      },
    },
    async (request) => {
      return { runs: (await control.describeRuns({ limit: request.query.limit, pipeline: request.query.pipeline })).map(runView) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/runs/:id',
    {
      schema: {
        tags: ['runs'],
        summary: 'One run: status, live counts, timings, its first rejected records',
        params: runIdParams,
        response: withErrors(
          {
            200: {
              type: 'object',
              properties: { ...runSchema.properties, rejections: { type: 'array', items: rejectionSchema }, rejectionsTotal: { type: 'integer' } },
            },
          },
          [400, 404, 503],
        ),
      },
    },
    async (request) => {
      // two independent reads, side by side: the run (with its counts) and its rejections; a missing run has none
      const [run, rejections] = await Promise.all([control.describeRun(request.params.id), control.listRejections(request.params.id)]);
      if (!run) throw notFound(`no run "${request.params.id}" (see GET /runs)`);
      return { ...runView(run), rejections: rejections.slice(0, REJECTIONS_SHOWN).map((r) => rejectionView(r, exposeRecords)), rejectionsTotal: rejections.length };
    },
  );

  app.post<{ Params: { id: string }; Body: { from: RerunFrom; refreshEnrichment?: boolean } }>(
    '/runs/:id/rerun',
    {
      schema: {
        tags: ['runs'],
        summary: 'Re-run one stage of a run from its staged artifacts (no offsets move, no other run touched)',
        params: runIdParams,
        body: rerunBodySchema,
        response: withErrors({ 202: { description: 'chunks re-emitted; the run is running again under a new generation', ...rerunResultSchema } }, [400, 401, 404, 409, 415, 503]),
      },
    },
    async (request, reply) => {
      const run = await control.getRun(request.params.id);
      if (!run) throw notFound(`no run "${request.params.id}" (see GET /runs)`);
      if (run.totalChunks === undefined) {
        throw new HttpError(409, 'CONFLICT', `run "${run.runId}" has not finished extracting (status ${run.status}); rerun it once its source has ended`);
      }
      return reply.status(202).send(await control.rerun(run.runId, request.body.from, undefined, { refreshEnrichment: request.body.refreshEnrichment }));
    },
  );
}
