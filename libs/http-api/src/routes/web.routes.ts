import type { FastifyInstance, FastifyReply } from 'fastify';
import type { WebAsset } from '../web-assets';

/** Same-origin only, no inline script: the page is plain files served here, nothing from a CDN. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** The web console: index.html at /, its script and style under /ui/. Not part of the API document. */
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
  app.get('/', { schema: { hide: true } }, serve('index.html'));
  app.get('/ui/console.js', { schema: { hide: true } }, serve('console.js'));
  app.get('/ui/console.css', { schema: { hide: true } }, serve('console.css'));
}
