import type { FastifyInstance } from 'fastify';
import { createSilentLogger } from '@brokered-etl/observability';
import { buildApiApp } from './api.app';
import { BEARER_SCHEME, isMutating } from './auth';
import { OPENAPI_PATH } from './openapi';
import { registeredRoutes } from './route-table';
import { createFakeRunControl, FAKE_PIPELINES } from './testing/fake-run-control';

/** Routes that are not API operations, and why they are left out of the document. */
const UNDOCUMENTED: Record<string, string> = {
  'GET /': 'the web console page',
  'GET /ui/console.js': 'the web console script',
  'GET /ui/console.css': 'the web console style',
  [`GET ${OPENAPI_PATH}`]: 'the document itself',
};

const toOpenApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema;
}

interface Operation {
  security?: Array<Record<string, string[]>>;
  responses: Record<string, unknown>;
  parameters?: Array<{ in: string; name: string }>;
}

describe('OpenAPI document against the routes', () => {
  let app: FastifyInstance;
  let doc: { openapi: string; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, { type: string; scheme: string }>; schemas: Record<string, JsonSchema> } };

  beforeAll(async () => {
    app = await buildApiApp({ control: createFakeRunControl().control, pipelines: FAKE_PIPELINES, logger: createSilentLogger(), auth: { kind: 'tokens', tokens: [{ scope: 'write', token: 'unit-test-token-0123456789' }] } });
    const res = await app.inject({ url: OPENAPI_PATH, headers: { authorization: 'Bearer unit-test-token-0123456789' } });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });
  afterAll(() => app.close());

  const documented = () => Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
  const served = () => registeredRoutes(app).map((r) => `${r.method} ${toOpenApiPath(r.url)}`);

  it('is OpenAPI 3 with a bearer scheme', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes[BEARER_SCHEME]).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents every route with its method and path, except the listed non-API ones', () => {
    const undocumented = Object.keys(UNDOCUMENTED).map((op) => op.replace(/ (.*)$/, (_m, url: string) => ` ${toOpenApiPath(url)}`));
    expect(served().filter((op) => !undocumented.includes(op)).sort()).toEqual(documented().sort());
    // and the exceptions are real routes, not stale entries
    expect(served()).toEqual(expect.arrayContaining(undocumented));
  });

  it('covers the endpoints the API promises', () => {
    expect(documented().sort()).toEqual(
      ['GET /dlq', 'GET /dlq/{id}', 'GET /healthz', 'GET /pipelines', 'GET /runs', 'GET /runs/{id}', 'GET /runs/{id}/events', 'POST /dlq/redrive', 'POST /replay', 'POST /runs', 'POST /runs/{id}/rerun'].sort(),
    );
  });

  it('every documented operation is a route the server has', () => {
    for (const op of documented()) {
      const [method, path] = op.split(' ') as ['GET' | 'POST', string];
      expect([op, app.hasRoute({ method, url: path.replace(/\{(\w+)\}/g, ':$1') })]).toEqual([op, true]);
    }
  });

  it('every operation but /healthz declares the bearer scheme and a 401; mutating ones a 403 and a 429 too; /healthz declares none', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const responses = Object.keys(operation.responses);
        if (path === '/healthz') {
          expect([path, method, operation.security]).toEqual([path, method, []]);
          continue;
        }
        expect([path, method, operation.security]).toEqual([path, method, [{ [BEARER_SCHEME]: [] }]]);
        expect([path, method, responses]).toEqual([path, method, expect.arrayContaining(['401'])]);
        if (isMutating(method.toUpperCase() as 'POST')) expect([path, method, responses]).toEqual([path, method, expect.arrayContaining(['403', '429'])]);
      }
    }
  });

  it('describes every field of a pipeline param in the GET /pipelines answer, and names the param schema', () => {
    const answer = (doc.paths['/pipelines']!['get']!.responses['200'] as { content: { 'application/json': { schema: JsonSchema } } }).content['application/json'].schema;
    const param = answer.properties!['pipelines']!.items!.properties!['params']!.additionalProperties!;
    const expected = {
      description: { type: 'string' },
      default: { type: 'string' },
      type: { type: 'string', enum: ['string', 'integer', 'path'] },
      values: { type: 'array', items: { type: 'string' } },
      pattern: { type: 'string' },
      maxLength: { type: 'number' },
      min: { type: 'number' },
      max: { type: 'number' },
      required: { type: 'boolean' },
    };
    expect(param.properties).toMatchObject(expected);
    expect(Object.keys(param.properties!).sort()).toEqual(Object.keys(expected).sort());
    expect(doc.components.schemas['ParamSpec']).toEqual(param);
  });

  it('documents a 400 wherever input is validated', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const takesInput = method === 'post' || (operation.parameters ?? []).length > 0;
        if (takesInput) expect([method, path, Object.keys(operation.responses)]).toEqual([method, path, expect.arrayContaining(['400'])]);
      }
    }
  });
});
