import type { FastifyInstance } from 'fastify';
import { replayTargetOf } from '../replay-target';
import { withErrors } from '../schemas/error.schema';
import { replayBodySchema, replayResultSchema, type ReplayBody } from '../schemas/replay.schemas';
import type { RouteDeps } from './route-deps';

export function replayRoutes(app: FastifyInstance, { control }: RouteDeps): void {
  app.post<{ Body: ReplayBody }>(
    '/replay',
    {
      schema: {
        tags: ['replay'],
        summary: "Replay a stage from Kafka: move its consumer group's offsets (dryRun: only the plan)",
        description:
          'Kafka only resets a group without members: while the stage has workers the answer is 409 GROUP_ACTIVE naming them (details.members); stop them, replay, start them again. A dry run works while they run.',
        body: replayBodySchema,
        response: withErrors({ 200: { description: 'the plan (applied: false for a dry run)', ...replayResultSchema } }, [400, 401, 409, 415, 503]),
      },
    },
    async (request) => {
      const target = replayTargetOf(request.body);
      return control.replay({ stage: request.body.stage, target, dryRun: request.body.dryRun ?? false });
    },
  );
}
