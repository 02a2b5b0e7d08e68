import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { BEARER_SCHEME, type ApiAuth } from './auth';
import { errorSchema } from './schemas/error.schema';
import { paramSpecSchema } from './schemas/pipeline.schemas';

export const OPENAPI_PATH = '/openapi.json';

/**
 * The OpenAPI document is generated from the routes' own schemas, so it is
 * what the server validates and answers. Register before any route.
 */
export async function registerOpenApi(app: FastifyInstance, auth: ApiAuth): Promise<void> {
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
            description:
              'A token from API_TOKENS (read:<token>,write:<token>) or API_TOKEN (write). Every operation but /healthz needs one; read covers GETs, write the mutating operations and implies read.' +
              (auth.kind === 'none' ? ' This server runs with API_AUTH=none (loopback only): it checks no token.' : ''),
          },
        },
        // named here for readers of the document; the routes use the same objects inline
        schemas: { Error: errorSchema as never, ParamSpec: paramSpecSchema as never },
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
