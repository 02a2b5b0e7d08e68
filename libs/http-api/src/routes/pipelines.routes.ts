import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from './route-deps';

const paramSchema = { type: 'object', properties: { description: { type: 'string' }, default: { type: 'string' } } } as const;

export function pipelinesRoutes(app: FastifyInstance, { pipelines }: RouteDeps): void {
  app.get(
    '/pipelines',
    {
      schema: {
        tags: ['runs'],
        summary: 'The pipelines a run can name, with their params',
        response: {
          200: {
            type: 'object',
            properties: {
              pipelines: {
                type: 'array',
                items: { type: 'object', properties: { name: { type: 'string' }, description: { type: 'string' }, params: { type: 'object', additionalProperties: paramSchema } } },
              },
            },
          },
        },
      },
    },
    async () => ({ pipelines: pipelines.map(({ name, description, params }) => ({ name, description, params })) }),
  );
}
