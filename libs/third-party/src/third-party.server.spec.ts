import { startThirdPartyService, type ThirdPartyService } from './third-party.server';
import { evaluateRisk } from './risk-evaluation';

/** The simulated service itself: what tests measure clients against must count right. */
describe('simulated third party', () => {
  let service: ThirdPartyService;
  beforeEach(async () => (service = await startThirdPartyService({ latency: { medianMs: 5, p95Ms: 10 } })));
  afterEach(() => service.close());

  const get = (path: string) => fetch(`${service.url}${path}`);

  it('answers per key, per batch and per job, and counts calls, statuses and keys', async () => {
    expect(await (await get('/risk/JFK')).json()).toEqual(evaluateRisk('JFK'));
    const batch = await fetch(`${service.url}/risk/batch`, { method: 'POST', body: JSON.stringify({ keys: ['A', 'B'] }) });
    expect(await batch.json()).toEqual({ results: { A: evaluateRisk('A'), B: evaluateRisk('B') } });
    service.configure({ jobDurationMs: 50 });
    const submitted = await fetch(`${service.url}/jobs`, { method: 'POST', body: JSON.stringify({ key: 'J' }) });
    expect(submitted.status).toBe(202);
    const { jobId } = (await submitted.json()) as { jobId: string };
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await (await get(`/jobs/${jobId}`)).json()).toEqual(evaluateRisk('J'));
    const seen = service.counters();
    expect(seen).toMatchObject({ calls: 4, inFlight: 0, byStatus: { '200': 3, '202': 1 }, byKey: { JFK: 1, A: 1, B: 1, J: 2 }, jobsByKey: { J: 1 } });
  });

  it('throttles beyond its own limit with 429 and Retry-After, and records the busiest second', async () => {
    service.configure({ throttle: { requestsPerSecond: 1, burst: 3, retryAfterSeconds: 2 } });
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => get(`/risk/K${i}`)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 429, 429]);
    expect(answers.find((r) => r.status === 429)!.headers.get('retry-after')).toBe('2');
    expect(service.counters()).toMatchObject({ calls: 5, maxPerSecond: 5, inFlight: 0 });
  });

  it('refuses some keys with a reason, and answers scripted failures first', async () => {
    service.configure({ refusedKeys: ['BAD'] });
    service.script({ status: 503, count: 1, retryAfterSeconds: 1 });
    const first = await get('/risk/BAD');
    expect([first.status, first.headers.get('retry-after')]).toEqual([503, '1']);
    const second = await get('/risk/BAD');
    expect([second.status, await second.json()]).toEqual([422, { reason: 'no evaluation possible for "BAD"' }]);
  });
});
