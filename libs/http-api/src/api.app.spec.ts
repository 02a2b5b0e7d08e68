import type { FastifyInstance } from 'fastify';
import { EtlError } from '@brokered-etl/errors';
import type { RunRecord } from '@brokered-etl/staging';
import { createSilentLogger } from '@brokered-etl/observability';
import { buildApiApp } from './api.app';
import { createFakeRunControl, deadLetter, FAKE_PIPELINES } from './testing/fake-run-control';

const TOKEN = 'unit-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('http api (fake run control)', () => {
  let fake: ReturnType<typeof createFakeRunControl>;
  let app: FastifyInstance;

  beforeEach(async () => {
    fake = createFakeRunControl({ activeMembers: 1 });
    app = await buildApiApp({ control: fake.control, pipelines: FAKE_PIPELINES, logger: createSilentLogger(), token: TOKEN, eventsPollMs: 5 });
  });
  afterEach(() => app.close());

  const post = (url: string, payload: unknown, headers: Record<string, string> = auth) => app.inject({ method: 'POST', url, payload: payload as object, headers });

  describe('POST /runs', () => {
    it('answers 202 with the run id, a Location and the events link', async () => {
      const res = await post('/runs', { pipeline: 'flights', params: { source: 'flights-2k.json' } });
      expect(res.statusCode).toBe(202);
      const body = res.json();
      expect(body).toMatchObject({ runId: 'flights-1', pipeline: 'flights', params: { source: 'flights-2k.json' }, links: { run: '/runs/flights-1', events: '/runs/flights-1/events' } });
      expect(res.headers.location).toBe('/runs/flights-1');
      expect(fake.calls[0]).toEqual({ op: 'trigger', args: [{ pipeline: 'flights', params: { source: 'flights-2k.json' }, runId: undefined, requestedBy: 'api' }] });
    });

    it.each([
      ['a missing pipeline', {}, 'body.pipeline', /body.pipeline is required/],
      ['a pipeline of the wrong type', { pipeline: 5 }, 'body.pipeline', /must be string/],
      ['a param that is not a string', { pipeline: 'flights', params: { source: 2 } }, 'body.params.source', /must be string/],
      ['an unknown field', { pipeline: 'flights', extra: true }, 'body.extra', /not a known field/],
      ['a run id with spaces', { pipeline: 'flights', runId: 'a b' }, 'body.runId', /must match pattern/],
      ['a param the pipeline does not take', { pipeline: 'flights', params: { sorce: 'x' } }, 'body.params.sorce', /has no param "sorce"; it takes: source, format/],
    ])('%s → 400 naming the field, nothing triggered', async (_what, body, field, message) => {
      const res = await post('/runs', body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ field, message: expect.stringMatching(message), requestId: expect.any(String) });
      expect(fake.calls).toEqual([]);
    });

    it('an unknown pipeline → 400 UNKNOWN_PIPELINE with the known ones', async () => {
      const res = await post('/runs', { pipeline: 'flightz' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'UNKNOWN_PIPELINE', message: 'unknown pipeline "flightz"; known: flights' });
    });

    it('malformed JSON → 400, a non-JSON body → 415, an oversized body → 413', async () => {
      const bad = await app.inject({ method: 'POST', url: '/runs', payload: '{"pipeline": ', headers: { ...auth, 'content-type': 'application/json' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/not valid JSON/) });
      const text = await app.inject({ method: 'POST', url: '/runs', payload: 'pipeline=flights', headers: { ...auth, 'content-type': 'text/plain' } });
      expect(text.statusCode).toBe(415);
      expect(text.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
      const big = await post('/runs', { pipeline: 'flights', params: { source: 'x'.repeat(70_000) } });
      expect(big.statusCode).toBe(413);
      expect(big.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    });
  });

  describe('bearer token', () => {
    const mutating: Array<[string, unknown]> = [
      ['/runs', { pipeline: 'flights' }],
      ['/runs/r1/rerun', { from: 'transform' }],
      ['/dlq/redrive', { runId: 'r1' }],
      ['/replay', { stage: 'transformer', toEarliest: true, dryRun: true }],
    ];

    it.each(mutating)('POST %s without a token → 401 with a JSON error and WWW-Authenticate', async (url, body) => {
      const res = await post(url, body, {});
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.json()).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/bearer token/) });
    });

    it.each(mutating)('POST %s with a wrong token → 401; nothing reaches run control', async (url, body) => {
      for (const authorization of [`Bearer ${TOKEN}x`, `Basic ${TOKEN}`, 'Bearer ']) {
        const res = await post(url, body, { authorization });
        expect(res.statusCode).toBe(401);
      }
      expect(fake.calls).toEqual([]);
    });

    it('is checked before the body: no token and a bad body is still 401', async () => {
      expect((await post('/runs', {}, {})).statusCode).toBe(401);
    });

    it('GETs need no token; without API_TOKEN nothing does', async () => {
      expect((await app.inject('/runs')).statusCode).toBe(200);
      const open = await buildApiApp({ control: fake.control, pipelines: FAKE_PIPELINES, logger: createSilentLogger() });
      expect((await open.inject({ method: 'POST', url: '/runs', payload: { pipeline: 'flights' } })).statusCode).toBe(202);
      await open.close();
    });
  });

  describe('runs', () => {
    it('GET /runs validates the query (limit is an integer 1..200)', async () => {
      await post('/runs', { pipeline: 'flights' });
      const ok = await app.inject('/runs?limit=5&pipeline=flights');
      expect(ok.json().runs).toHaveLength(1);
      expect(ok.json().runs[0]).toMatchObject({ runId: 'flights-1', status: 'requested', requestedAt: '2026-01-01T00:00:00.000Z' });
      for (const limit of ['abc', '0', '500', '1.5']) {
        const res = await app.inject(`/runs?limit=${limit}`);
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({ field: 'query.limit' });
      }
    });

    it('GET /runs/:id → 404 for an unknown run, 400 for an ill-formed id', async () => {
      expect((await app.inject('/runs/no-such-run')).json()).toMatchObject({ code: 'NOT_FOUND', message: 'no run "no-such-run" (see GET /runs)' });
      expect((await app.inject('/runs/no-such-run')).statusCode).toBe(404);
      expect((await app.inject('/runs/%20bad')).statusCode).toBe(400);
    });

    it('POST /runs/:id/rerun: 404 unknown, 409 before extraction ended, 400 for a bad from, 202 otherwise', async () => {
      expect((await post('/runs/nope/rerun', { from: 'transform' })).statusCode).toBe(404);
      fake.runs.set('r1', { runId: 'r1', pipeline: 'flights', params: {}, requestedBy: 't', status: 'running', requestedAt: new Date() });
      expect((await post('/runs/r1/rerun', { from: 'transform' })).json()).toMatchObject({ code: 'CONFLICT' });
      fake.runs.set('r1', { ...fake.runs.get('r1')!, status: 'completed', totalChunks: 2, totalRecords: 10 });
      const bad = await post('/runs/r1/rerun', { from: 'extract' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ field: 'body.from', message: 'body.from must be one of transform, load' });
      expect((await post('/runs/r1/rerun', {})).json()).toMatchObject({ field: 'body.from', message: 'body.from is required' });
      const ok = await post('/runs/r1/rerun', { from: 'load' });
      expect(ok.statusCode).toBe(202);
      expect(ok.json()).toEqual({ runId: 'r1', from: 'load', generation: 1, chunks: 2, records: 10 });
    });
  });

  describe('GET /runs/:id/events', () => {
    it('streams progress while the run moves, then end, then closes; 404 for an unknown run', async () => {
      const running: RunRecord = { runId: 'r1', pipeline: 'flights', params: {}, requestedBy: 't', status: 'running', requestedAt: new Date(), counts: { extracted: 10, transformed: 0, rejected: 0, loaded: 0, chunksExtracted: 1, chunksLoaded: 0, splitsExtracted: 1 } };
      const loaded: RunRecord = { ...running, counts: { extracted: 10, transformed: 10, rejected: 0, loaded: 10, chunksExtracted: 1, chunksLoaded: 1, splitsExtracted: 1 } };
      // what each poll sees: an unchanged poll sends nothing
      const polls = [running, running, loaded, loaded, { ...loaded, status: 'completed' as const }];
      fake.runs.set('r1', running);
      fake.control.describeRun = async (runId) => (runId !== 'r1' ? undefined : polls.length > 1 ? polls.shift() : polls[0]);
      const res = await app.inject('/runs/r1/events');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      const events = res.body.split('\n\n').filter((block) => block.includes('event: ')).map((block) => ({ type: /event: (\w+)/.exec(block)![1], data: JSON.parse(/data: (.*)/.exec(block)![1]!) }));
      expect(events.map((e) => e.type)).toEqual(['progress', 'progress', 'end']);
      expect(events.map((e) => e.data.counts.loaded)).toEqual([0, 10, 10]);
      expect(events[2]!.data).toMatchObject({ runId: 'r1', status: 'completed' });
      expect((await app.inject('/runs/nope/events')).statusCode).toBe(404);
    });
  });

  describe('dead letters', () => {
    beforeEach(() => {
      fake.letters.set('dl-1', deadLetter('dl-1', 'r1'));
      fake.letters.set('dl-2', deadLetter('dl-2', 'r2', { redrivenAt: new Date('2026-01-02T00:00:00Z') }));
    });

    it('GET /dlq lists open ones (all=true: every one), without the raw bytes', async () => {
      const open = (await app.inject('/dlq')).json().deadLetters;
      expect(open.map((d: { id: string }) => d.id)).toEqual(['dl-1']);
      expect(open[0]).toMatchObject({ runId: 'r1', stage: 'transformer', errorCode: 'VALIDATION_FAILED', valueBytes: 6, record: '{"origin":"ZZZ"}' });
      expect(open[0].value).toBeUndefined();
      expect((await app.inject('/dlq?all=true')).json().deadLetters).toHaveLength(2);
      expect((await app.inject('/dlq?all=maybe')).json()).toMatchObject({ field: 'query.all' });
      expect((await app.inject('/dlq?stage=mixer')).json()).toMatchObject({ field: 'query.stage', message: 'query.stage must be one of extractor, transformer, loader' });
    });

    it('GET /dlq/:id shows key, value and headers readable; 404 when unknown', async () => {
      const one = (await app.inject('/dlq/dl-1')).json();
      expect(one).toMatchObject({ id: 'dl-1', key: 'r1:0', value: 'base64:AAAAAAEC', headers: [{ key: 'etl-run-id', value: 'r1' }] });
      expect((await app.inject('/dlq/nope')).statusCode).toBe(404);
    });

    it('POST /dlq/redrive takes exactly one of runId or ids', async () => {
      expect((await post('/dlq/redrive', { runId: 'r1' })).json()).toEqual({ redriven: [{ id: 'dl-1', topic: 'flights.extracted', runId: 'r1' }] });
      expect((await post('/dlq/redrive', {})).statusCode).toBe(400);
      expect((await post('/dlq/redrive', { runId: 'r1', ids: ['dl-1'] })).json()).toMatchObject({ code: 'BAD_REQUEST', message: 'give exactly one of body.runId or body.ids' });
      expect((await post('/dlq/redrive', { ids: [] })).json()).toMatchObject({ field: 'body.ids' });
      expect((await post('/dlq/redrive', { ids: ['nope'] })).statusCode).toBe(404);
    });
  });

  describe('POST /replay', () => {
    it('a dry run answers the plan', async () => {
      const res = await post('/replay', { stage: 'transformer', toEarliest: true, dryRun: true });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ applied: false, reprocess: 5, plan: [{ partition: 0, current: '5', next: '0' }] });
      expect(fake.calls[0]).toEqual({ op: 'replay', args: [{ stage: 'transformer', target: { kind: 'earliest' }, dryRun: true }] });
    });

    it('refused while the group has members → 409 GROUP_ACTIVE naming them', async () => {
      const res = await post('/replay', { stage: 'transformer', toOffset: 42, partition: 3 });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'GROUP_ACTIVE', details: { members: [{ clientId: 'etl-transformer-0' }] } });
    });

    it.each([
      [{ toEarliest: true }, 'body.stage'],
      [{ stage: 'transformer' }, 'body'],
      [{ stage: 'transformer', toEarliest: true, toLatest: true }, 'body.toLatest'],
      [{ stage: 'transformer', toDatetime: 'yesterday' }, 'body.toDatetime'],
      [{ stage: 'transformer', byDuration: '1 hour' }, 'body.byDuration'],
      [{ stage: 'transformer', toOffset: '-1' }, 'body.toOffset'],
      [{ stage: 'transformer', toEarliest: true, partition: 1 }, 'body.partition'],
      [{ stage: 'transformer', toEarliest: true, dryRun: 'yes' }, 'body.dryRun'],
    ])('%j → 400 at %s', async (body, field) => {
      const res = await post('/replay', body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ field });
    });
  });

  describe('errors', () => {
    it('an unknown route → 404 JSON', async () => {
      const res = await app.inject('/nope');
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'NOT_FOUND', message: 'no route GET /nope (see GET /openapi.json)' });
    });

    it('a dependency away → 503 with Retry-After; anything unexpected → 500 with the request id, details logged not sent', async () => {
      fake.control.describeRuns = async () => {
        throw new EtlError('DATABASE_UNAVAILABLE', 'list runs: connection refused');
      };
      const unavailable = await app.inject('/runs');
      expect(unavailable.statusCode).toBe(503);
      expect(unavailable.headers['retry-after']).toBe('5');
      fake.control.describeRuns = async () => {
        throw new TypeError('secret internals');
      };
      const res = await app.inject('/runs');
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ code: 'INTERNAL', message: `internal error; the api log has the details under request ${res.headers['x-request-id']}`, requestId: res.headers['x-request-id'] });
    });
  });

  describe('request metrics hook', () => {
    it('reports each answered request by route pattern (never the raw URL), status and duration', async () => {
      const seen: Array<{ method: string; route: string; status: number; seconds: number }> = [];
      const observed = await buildApiApp({ control: fake.control, pipelines: FAKE_PIPELINES, logger: createSilentLogger(), token: TOKEN, onResponse: (r) => seen.push(r) });
      try {
        await observed.inject('/runs/no-such-run');
        await observed.inject({ method: 'POST', url: '/runs', payload: { pipeline: 'flights' } });
        await observed.inject('/nowhere');
      } finally {
        await observed.close();
      }
      expect(seen.map(({ method, route, status }) => ({ method, route, status }))).toEqual([
        { method: 'GET', route: '/runs/:id', status: 404 },
        { method: 'POST', route: '/runs', status: 401 },
        { method: 'GET', route: 'unmatched', status: 404 },
      ]);
      expect(seen.every((r) => r.seconds >= 0 && r.seconds < 5)).toBe(true);
    });
  });

  describe('web console', () => {
    it('serves the page, its script and style with a same-origin CSP', async () => {
      const page = await app.inject('/');
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(page.body).toContain('<script src="/ui/console.js" defer></script>');
      expect((await app.inject('/ui/console.js')).headers['content-type']).toMatch(/javascript/);
      expect((await app.inject('/ui/console.css')).headers['content-type']).toMatch(/text\/css/);
    });
  });
});
