import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { HttpError } from './api-errors';

/**
 * One limiter shared by every mutating route: a client (by IP) gets
 * `perMinute` changes a minute across all of them, then 429 with Retry-After
 * (set by the plugin) and our error body. Per process, in memory: enough for
 * one api instance; several behind a balancer would need the plugin's Redis store.
 */
export async function writeRateLimiter(app: FastifyInstance, perMinute: number): Promise<onRequestHookHandler> {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, 'RATE_LIMITED', `too many changes from this client: at most ${context.max} a minute on mutating endpoints; retry in ${context.after}`),
  });
  return app.rateLimit({ max: perMinute, timeWindow: 60_000 });
}
