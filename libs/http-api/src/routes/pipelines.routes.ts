import type { FastifyInstance } from 'fastify';
import { pipelinesSchema } from '../schemas/pipeline.schemas';
import type { RouteDeps } from './route-deps';

export function pipelinesRoutes(app: FastifyInstance, { pipelines }: RouteDeps): void {
  app.get(
    '/pipelines',
    {
      schema: {
        tags: ['runs'],
        summary: 'The pipelines a run can name, with their params: type, allowed values and bounds (what POST /runs checks)',
        response: { 200: pipelinesSchema },
      },
    },
    async () => ({ pipelines: pipelines.map(({ name, description, params }) => ({ name, description, params })) }),
  );
}
