import type { FastifyInstance, FastifyReply } from 'fastify';
import type { WebAsset } from '../web-assets';

/** Same-origin only, no inline script: the page is plain files served here, nothing from a CDN. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * The web console: index.html at /, its script and style under /ui/. Not part
 * of the API document. Public: the same static files for everyone, no data in
 * them, and a browser's navigation cannot carry a bearer token; every call
 * the page then makes needs one.
 */
export function webRoutes(app: FastifyInstance, assets: Map<string, WebAsset>): void {
  const serve = (name: string) => async (_request: unknown, reply: FastifyReply) => {
    const asset = assets.get(name);
    if (!asset) throw new Error(`web asset ${name} was not loaded`);
    return reply
      .header('content-type', asset.contentType)
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', CSP)
      .header('referrer-policy', 'no-referrer')
      .send(asset.body);
  };
  const options = { schema: { hide: true }, config: { access: 'public' as const } };
  app.get('/', options, serve('index.html'));
  app.get('/ui/console.js', options, serve('console.js'));
  app.get('/ui/console.css', options, serve('console.css'));
}
