import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { BEARER_SCHEME } from './auth';
import { errorSchema } from './schemas/error.schema';

export const OPENAPI_PATH = '/openapi.json';

/**
 * The OpenAPI document is generated from the routes' own schemas, so it is
 * what the server validates and answers. Register before any route.
 */
export async function registerOpenApi(app: FastifyInstance, options: { tokenRequired: boolean }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'brokered-etl API',
        version: '1.0.0',
        description: 'Trigger and follow runs, rerun, replay and redrive dead letters: the operations of the `etl` CLI over HTTP. Errors are JSON: {code, message, field?, details?, requestId}.',
      },
      components: {
        securitySchemes: {
          [BEARER_SCHEME]: {
            type: 'http',
            scheme: 'bearer',
            description: options.tokenRequired ? 'Required on every mutating endpoint (this server has API_TOKEN set).' : 'Required on mutating endpoints when the server runs with API_TOKEN (this one does not).',
          },
        },
        schemas: { Error: errorSchema as never },
      },
      tags: [
        { name: 'runs', description: 'trigger, list, follow and rerun runs' },
        { name: 'dead letters', description: 'list and redrive' },
        { name: 'replay', description: 'move a stage consumer group' },
      ],
    },
  });
}

export function openApiRoute(app: FastifyInstance): void {
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
}
