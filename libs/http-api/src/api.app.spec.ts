import type { FastifyInstance } from 'fastify';
import { EtlError } from '@brokered-etl/errors';
import type { RunRecord } from '@brokered-etl/staging';
import { createSilentLogger } from '@brokered-etl/observability';
import { buildApiApp } from './api.app';
import { createFakeRunControl, deadLetter, FAKE_PIPELINES } from './testing/fake-run-control';

const TOKEN = 'unit-test-token-0123456789';
const READ_TOKEN = 'unit-test-read-token-987654';
const auth = { authorization: `Bearer ${TOKEN}` };
const readAuth = { authorization: `Bearer ${READ_TOKEN}` };
const TOKENS = { kind: 'tokens', tokens: [{ scope: 'write', token: TOKEN }, { scope: 'read', token: READ_TOKEN }] } as const;

describe('http api (fake run control)', () => {
  let fake: ReturnType<typeof createFakeRunControl>;
  let app: FastifyInstance;

  beforeEach(async () => {
    fake = createFakeRunControl({ activeMembers: 1 });
    app = await buildApiApp({ control: fake.control, pipelines: FAKE_PIPELINES, logger: createSilentLogger(), auth: TOKENS, eventsPollMs: 5, exposeRecords: true });
  });
  afterEach(() => app.close());

  const post = (url: string, payload: unknown, headers: Record<string, string> = auth) => app.inject({ method: 'POST', url, payload: payload as object, headers });
  const get = (url: string, headers: Record<string, string> = readAuth) => app.inject({ method: 'GET', url, headers });

  describe('POST /runs', () => {
    it('answers 202 with the run id, a Location and the events link', async () => {
      const res = await post('/runs', { pipeline: 'flights', params: { source: 'flights-2k.json' } });
      expect(res.statusCode).toBe(202);
      const body = res.json();
      expect(body).toMatchObject({ runId: 'flights-1', pipeline: 'flights', params: { source: 'flights-2k.json' }, links: { run: '/runs/flights-1', events: '/runs/flights-1/events' } });
      expect(res.headers.location).toBe('/runs/flights-1');
      expect(fake.calls[0]).toEqual({ op: 'trigger', args: [{ pipeline: 'flights', params: { source: 'flights-2k.json' }, runId: undefined, requestedBy: 'api' }] });
    });

    it('records are sent to run control as the inline records param; without API_EXPOSE_RECORDS run views only say they are there', async () => {
      const res = await post('/runs', { pipeline: 'flights', records: [{ id: 'a' }] });
      expect(res.statusCode).toBe(202);
      expect(fake.calls[0]).toEqual({ op: 'trigger', args: [{ pipeline: 'flights', params: { inlineRecords: '[{"id":"a"}]' }, runId: undefined, requestedBy: 'api' }] });
      expect(res.json().params).toEqual({ inlineRecords: '[{"id":"a"}]' });
      expect((await post('/runs', { pipeline: 'flights', records: [] })).json()).toMatchObject({ field: 'body.records' });

      const hidden = await buildApiApp({ control: fake.control, pipelines: FAKE_PIPELINES, logger: createSilentLogger(), auth: TOKENS, exposeRecords: false });
      try {
        const shown = (await hidden.inject({ method: 'GET', url: '/runs/flights-1', headers: readAuth })).json();
        expect(shown.params).toEqual({ inlineRecords: '(12 bytes of inline records, shown with API_EXPOSE_RECORDS=true)' });
        const listed = (await hidden.inject({ method: 'GET', url: '/runs', headers: readAuth })).json();
        expect(listed.runs[0].params.inlineRecords).toMatch(/^\(12 bytes/);
      } finally {
        await hidden.close();
      }
    });

    it('with ?wait=true answers 200 once the run has finished, with the run', async () => {
      const finish = () => {
        const run = fake.runs.get('flights-1');
        if (run) fake.runs.set('flights-1', { ...run, status: 'completed', counts: { extracted: 1, transformed: 1, rejected: 0, loaded: 1 } } as never);
      };
      setTimeout(finish, 250);
      const res = await post('/runs?wait=true&timeoutMs=5000', { pipeline: 'flights' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ runId: 'flights-1', links: { run: '/runs/flights-1' }, run: { runId: 'flights-1', status: 'completed', counts: { loaded: 1 } } });
    });

    it('with ?wait=true answers 202 with the run so far when it does not finish within timeoutMs', async () => {
      const started = Date.now();
      const res = await post('/runs?wait=true&timeoutMs=300', { pipeline: 'flights' });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toMatchObject({ runId: 'flights-1', run: { status: 'requested' } });
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      expect((await post('/runs?wait=true&timeoutMs=999999', { pipeline: 'flights' })).json()).toMatchObject({ field: 'query.timeoutMs' });
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

    it.each(['/runs', '/runs/r1', '/runs/r1/events', '/dlq', '/dlq/dl-1', '/pipelines', '/openapi.json'])('GET %s without a token, or with a wrong one → 401', async (url) => {
      for (const headers of [{}, { authorization: `Bearer ${READ_TOKEN}x` }] as Array<Record<string, string>>) {
        const res = await get(url, headers);
        expect([url, res.statusCode]).toEqual([url, 401]);
        expect(res.json()).toMatchObject({ code: 'UNAUTHORIZED', requestId: expect.any(String) });
      }
      expect(fake.calls).toEqual([]);
    });

    it('a read token can GET but not POST (403 FORBIDDEN, nothing triggered); a write token does both', async () => {
      expect((await get('/runs')).statusCode).toBe(200);
      const refused = await post('/runs', { pipeline: 'flights' }, readAuth);
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/write scope/), requestId: expect.any(String) });
      expect(fake.calls).toEqual([]);
      expect((await get('/runs', auth)).statusCode).toBe(200);
      expect((await post('/runs', { pipeline: 'flights' })).statusCode).toBe(202);
    });

    it('/healthz and the console page are open; the page needs a token for everything it then asks', async () => {
      expect((await get('/healthz', {})).json()).toEqual({ status: 'ok' });
      expect((await get('/', {})).statusCode).toBe(200);
      expect((await get('/ui/console.js', {})).statusCode).toBe(200);
    });

    it('with API_AUTH=none (kind none) nothing is checked', async () => {
      const open = await buildApiApp({ control: fake.control, pipelines: FAKE_PIPELINES, logger: createSilentLogger(), auth: { kind: 'none' } });
      expect((await open.inject('/runs')).statusCode).toBe(200);
      expect((await open.inject({ method: 'POST', url: '/runs', payload: { pipeline: 'flights' } })).statusCode).toBe(202);
      await open.close();
    });
  });

  describe('runs', () => {
    it('GET /runs validates the query (limit is an integer 1..200)', async () => {
      await post('/runs', { pipeline: 'flights' });
      const ok = await get('/runs?limit=5&pipeline=flights');
      expect(ok.json().runs).toHaveLength(1);
      expect(ok.json().runs[0]).toMatchObject({ runId: 'flights-1', status: 'requested', requestedAt: '2026-01-01T00:00:00.000Z' });
      for (const limit of ['abc', '0', '500', '1.5']) {
        const res = await get(`/runs?limit=${limit}`);
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({ field: 'query.limit' });
      }
    });

    it('GET /runs/:id → 404 for an unknown run, 400 for an ill-formed id', async () => {
      expect((await get('/runs/no-such-run')).json()).toMatchObject({ code: 'NOT_FOUND', message: 'no run "no-such-run" (see GET /runs)' });
      expect((await get('/runs/no-such-run')).statusCode).toBe(404);
      expect((await get('/runs/%20bad')).statusCode).toBe(400);
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
      const res = await get('/runs/r1/events');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      const events = res.body.split('\n\n').filter((block) => block.includes('event: ')).map((block) => ({ type: /event: (\w+)/.exec(block)![1], data: JSON.parse(/data: (.*)/.exec(block)![1]!) }));
      expect(events.map((e) => e.type)).toEqual(['progress', 'progress', 'end']);
      expect(events.map((e) => e.data.counts.loaded)).toEqual([0, 10, 10]);
      expect(events[2]!.data).toMatchObject({ runId: 'r1', status: 'completed' });
      expect((await get('/runs/nope/events')).statusCode).toBe(404);
    });
  });

  describe('dead letters', () => {
    beforeEach(() => {
      fake.letters.set('dl-1', deadLetter('dl-1', 'r1'));
      fake.letters.set('dl-2', deadLetter('dl-2', 'r2', { redrivenAt: new Date('2026-01-02T00:00:00Z') }));
    });

    it('GET /dlq lists open ones (all=true: every one), without the raw bytes', async () => {
      const open = (await get('/dlq')).json().deadLetters;
      expect(open.map((d: { id: string }) => d.id)).toEqual(['dl-1']);
      expect(open[0]).toMatchObject({ runId: 'r1', stage: 'transformer', errorCode: 'VALIDATION_FAILED', valueBytes: 6, record: '{"origin":"ZZZ"}' });
      expect(open[0].value).toBeUndefined();
      expect((await get('/dlq?all=true')).json().deadLetters).toHaveLength(2);
      expect((await get('/dlq?all=maybe')).json()).toMatchObject({ field: 'query.all' });
      expect((await get('/dlq?stage=mixer')).json()).toMatchObject({ field: 'query.stage', message: 'query.stage must be one of extractor, transformer, loader' });
    });

    it('GET /dlq/:id shows key, value and headers readable; 404 when unknown', async () => {
      const one = (await get('/dlq/dl-1')).json();
      expect(one).toMatchObject({ id: 'dl-1', key: 'r1:0', value: 'base64:AAAAAAEC', headers: [{ key: 'etl-run-id', value: 'r1' }] });
      expect((await get('/dlq/nope')).statusCode).toBe(404);
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
      const res = await get('/nope');
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'NOT_FOUND', message: 'no route GET /nope (see GET /openapi.json)' });
    });

    it('a dependency away → 503 with Retry-After; anything unexpected → 500 with the request id, details logged not sent', async () => {
      fake.control.describeRuns = async () => {
        throw new EtlError('DATABASE_UNAVAILABLE', 'list runs: connection refused');
      };
      const unavailable = await get('/runs');
      expect(unavailable.statusCode).toBe(503);
      expect(unavailable.headers['retry-after']).toBe('5');
      fake.control.describeRuns = async () => {
        throw new TypeError('secret internals');
      };
      const res = await get('/runs');
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ code: 'INTERNAL', message: `internal error; the api log has the details under request ${res.headers['x-request-id']}`, requestId: res.headers['x-request-id'] });
    });
  });

  describe('request metrics hook', () => {
    it('reports each answered request by route pattern (never the raw URL), status and duration', async () => {
      const seen: Array<{ method: string; route: string; status: number; seconds: number }> = [];
      const observed = await buildApiApp({ control: fake.control, pipelines: FAKE_PIPELINES, logger: createSilentLogger(), auth: TOKENS, onResponse: (r) => seen.push(r) });
      try {
        await observed.inject({ url: '/runs/no-such-run', headers: readAuth });
        await observed.inject({ method: 'POST', url: '/runs', payload: { pipeline: 'flights' } });
        await observed.inject({ url: '/nowhere', headers: readAuth });
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

  describe('record contents', () => {
    it('are omitted when not exposed (the default): rejected records, dead-letter record, key, value and headers', async () => {
      const hidden = await buildApiApp({ control: fake.control, pipelines: FAKE_PIPELINES, logger: createSilentLogger(), auth: TOKENS });
      fake.letters.set('dl-1', deadLetter('dl-1', 'r1'));
      fake.runs.set('r1', { runId: 'r1', pipeline: 'flights', params: {}, requestedBy: 't', status: 'completed', requestedAt: new Date() });
      fake.control.listRejections = async () => [{ id: 'r1:0:3', runId: 'r1', pipeline: 'flights', stage: 'transformer', chunkSeq: 0, recordIndex: 3, errorCode: 'VALIDATION_FAILED', reason: 'unknown airport', record: '{"origin":"ZZZ"}', rejectedAt: new Date() }];
      try {
        const read = (url: string) => hidden.inject({ url, headers: readAuth }).then((r) => r.json());
        const run = await read('/runs/r1');
        expect(run.rejections).toEqual([expect.objectContaining({ recordIndex: 3, reason: 'unknown airport' })]);
        expect(run.rejections[0]).not.toHaveProperty('record');
        const [listed] = (await read('/dlq')).deadLetters;
        expect(listed).toMatchObject({ id: 'dl-1', valueBytes: 6 });
        expect(listed).not.toHaveProperty('record');
        const one = await read('/dlq/dl-1');
        expect(one).toMatchObject({ id: 'dl-1', errorCode: 'VALIDATION_FAILED', valueBytes: 6 });
        for (const field of ['record', 'key', 'value', 'headers']) expect(one).not.toHaveProperty(field);
        // exposed (this suite's app): the same answers carry them
        expect((await get('/runs/r1')).json().rejections[0]).toMatchObject({ record: '{"origin":"ZZZ"}' });
      } finally {
        await hidden.close();
      }
    });
  });

  describe('limits', () => {
    it('mutating requests beyond the per-client rate → 429 RATE_LIMITED with Retry-After; reads are not counted', async () => {
      const limited = await buildApiApp({ control: fake.control, pipelines: FAKE_PIPELINES, logger: createSilentLogger(), auth: TOKENS, writesPerMinute: 3 });
      try {
        const trigger = () => limited.inject({ method: 'POST', url: '/runs', payload: { pipeline: 'flights' }, headers: auth });
        for (let i = 0; i < 3; i++) expect((await trigger()).statusCode).toBe(202);
        const refused = await trigger();
        expect(refused.statusCode).toBe(429);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
        expect(refused.json()).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/at most 3 a minute/), requestId: expect.any(String) });
        // shared by every mutating route, and counted before the token check (a flood of guesses is throttled too)
        expect((await limited.inject({ method: 'POST', url: '/dlq/redrive', payload: { runId: 'r1' }, headers: {} })).statusCode).toBe(429);
        expect((await limited.inject({ url: '/runs', headers: readAuth })).statusCode).toBe(200);
        expect(fake.calls.filter((c) => c.op === 'trigger')).toHaveLength(3);
      } finally {
        await limited.close();
      }
    });

    it('more event streams than allowed from one client → 429 TOO_MANY_STREAMS; a closed stream frees its slot', async () => {
      const streams = await buildApiApp({ control: fake.control, pipelines: FAKE_PIPELINES, logger: createSilentLogger(), auth: TOKENS, eventsPollMs: 5, eventStreamsPerClient: 2 });
      const running: RunRecord = { runId: 'r1', pipeline: 'flights', params: {}, requestedBy: 't', status: 'running', requestedAt: new Date() };
      fake.runs.set('r1', running);
      let opened = 0;
      fake.control.describeRun = async (runId) => {
        opened++;
        return fake.runs.get(runId);
      };
      const open = [streams.inject({ url: '/runs/r1/events', headers: readAuth }), streams.inject({ url: '/runs/r1/events', headers: readAuth })];
      while (opened < 2) await new Promise((resolve) => setImmediate(resolve));
      const refused = await streams.inject({ url: '/runs/r1/events', headers: readAuth });
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.json()).toMatchObject({ code: 'TOO_MANY_STREAMS', requestId: expect.any(String) });
      // the run ends: both streams close, and their slots are free again
      fake.runs.set('r1', { ...running, status: 'completed' });
      await Promise.all(open);
      expect((await streams.inject({ url: '/runs/r1/events', headers: readAuth })).statusCode).toBe(200);
      await streams.close();
    });

    it('POST /runs takes at most 32 params of at most 2048 characters each (400 naming the field)', async () => {
      const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`p${i}`, 'x']));
      expect((await post('/runs', { pipeline: 'flights', params: many })).json()).toMatchObject({ field: 'body.params', message: expect.stringMatching(/more than 32/) });
      expect((await post('/runs', { pipeline: 'flights', params: { source: 'x'.repeat(2049) } })).json()).toMatchObject({ field: 'body.params.source', message: expect.stringMatching(/more than 2048/) });
      expect(fake.calls).toEqual([]);
    });
  });

  describe('web console', () => {
    it('serves the page, its script and style with a same-origin CSP', async () => {
      const page = await get('/');
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(page.body).toContain('<script src="/ui/console.js" defer></script>');
      expect((await get('/ui/console.js')).headers['content-type']).toMatch(/javascript/);
      expect((await get('/ui/console.css')).headers['content-type']).toMatch(/text\/css/);
    });
  });
});
