import type { FastifyInstance } from 'fastify';

type PropertySchema = { type?: string | readonly string[] };

/**
 * Bodies are validated without type coercion (`"dryRun": "yes"` or
 * `"pipeline": 5` must be a 400, not silently converted), but a query string
 * is all text: this turns `?limit=20` and `?all=true` into the integer and
 * boolean its route's schema declares, before validation. What does not
 * parse stays a string and fails validation with the field named.
 */
export function coerceQueryStrings(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const properties = (request.routeOptions.schema?.querystring as { properties?: Record<string, PropertySchema> } | undefined)?.properties;
    const query = request.query as Record<string, unknown> | undefined;
    if (!properties || !query) return;
    for (const [name, schema] of Object.entries(properties)) {
      const value = query[name];
      if (typeof value !== 'string') continue;
      const types = Array.isArray(schema.type) ? schema.type : [schema.type];
      if (types.includes('integer') && /^-?\d+$/.test(value)) query[name] = Number(value);
      else if (types.includes('boolean') && (value === 'true' || value === 'false')) query[name] = value === 'true';
    }
  });
}
