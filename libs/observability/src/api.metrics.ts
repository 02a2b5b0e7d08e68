import { Counter, Histogram, type Registry } from 'prom-client';

export interface AnsweredRequest {
  method: string;
  /** The route's pattern (/runs/:id), so label values stay few. */
  route: string;
  status: number;
  seconds: number;
}

export interface PromApiMetrics {
  requestDone(request: AnsweredRequest): void;
}

/** Event streams stay open for a whole run: the top buckets are for them. */
export const REQUEST_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60, 600];

/** The api's etl_* metrics: requests by route and status, and how long they took. */
export function createApiMetrics(options: { registry: Registry }): PromApiMetrics {
  const registers = [options.registry];
  const requests = new Counter({ name: 'etl_api_requests_total', help: 'Answered HTTP requests by route pattern and status', labelNames: ['method', 'route', 'status'], registers });
  const duration = new Histogram({
    name: 'etl_api_request_duration_seconds',
    help: 'Time to answer an HTTP request (an event stream: until it ends)',
    labelNames: ['method', 'route'],
    buckets: REQUEST_DURATION_BUCKETS,
    registers,
  });
  return {
    requestDone({ method, route, status, seconds }) {
      requests.inc({ method, route, status: String(status) });
      duration.observe({ method, route }, seconds);
    },
  };
}
