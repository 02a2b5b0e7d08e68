import { Registry } from 'prom-client';
import { createApiMetrics } from './api.metrics';

describe('api metrics', () => {
  it('counts requests by method, route pattern and status, and times them per route', async () => {
    const registry = new Registry();
    const metrics = createApiMetrics({ registry });
    metrics.requestDone({ method: 'GET', route: '/runs/:id', status: 200, seconds: 0.004 });
    metrics.requestDone({ method: 'GET', route: '/runs/:id', status: 404, seconds: 0.002 });
    metrics.requestDone({ method: 'POST', route: '/runs', status: 202, seconds: 0.03 });

    const scrape = await registry.metrics();
    expect(scrape).toContain('etl_api_requests_total{method="GET",route="/runs/:id",status="200"} 1');
    expect(scrape).toContain('etl_api_requests_total{method="GET",route="/runs/:id",status="404"} 1');
    expect(scrape).toContain('etl_api_request_duration_seconds_count{method="GET",route="/runs/:id"} 2');
    expect(scrape).toContain('etl_api_request_duration_seconds_bucket{le="0.005",method="GET",route="/runs/:id"} 2');
    expect(scrape).toContain('etl_api_request_duration_seconds_bucket{le="0.025",method="POST",route="/runs"} 0');
  });
});
