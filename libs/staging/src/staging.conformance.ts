import type { StagingStore } from './staging.store';
import type { RunRecord } from './staging.types';

/**
 * Behaviour every StagingStore must have. Run by the in-memory store's unit
 * test and by the MongoDB store's integration test against a real server.
 */
export function stagingConformance(name: string, makeStore: () => Promise<StagingStore>): void {
  describe(`${name} conforms to StagingStore`, () => {
    let store: StagingStore;
    let n = 0;
    const newRun = (over: Partial<RunRecord> = {}): RunRecord => ({
      runId: `run-${Date.now()}-${++n}`,
      pipeline: 'flights',
      params: { source: 'flights-2k.json' },
      requestedBy: 'test',
      status: 'requested',
      requestedAt: new Date(Date.UTC(2026, 10, 26, 10, 0, n)),
      ...over,
    });

    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it('creates a run once, however often it is asked', async () => {
      const run = newRun();
      expect(await store.createRun(run)).toBe(true);
      expect(await store.createRun({ ...run, params: { other: 'x' } })).toBe(false);
      const stored = await store.getRun(run.runId);
      expect(stored?.params).toEqual({ source: 'flights-2k.json' });
      expect(stored?.requestedAt.getTime()).toBe(run.requestedAt.getTime());
    });


    it('moves a run requested → running → completed only when every chunk is loaded', async () => {
      const run = newRun();
      await store.createRun(run);
      await store.markRunStarted(run.runId, new Date());
      expect((await store.getRun(run.runId))?.status).toBe('running');
      for (const seq of [0, 1]) await store.markChunk(run.runId, seq, { extracted: { records: 10, at: new Date() } });
      await store.markChunk(run.runId, 0, { transformed: { records: 9, rejected: 1, at: new Date() } });
      await store.markChunk(run.runId, 0, { loaded: { records: 9, at: new Date() } });
      expect(await store.completeRunIfDone(run.runId, new Date())).toBeUndefined(); // source not ended yet
      await store.markSourceEnded(run.runId, { totalChunks: 2, totalRecords: 20 }, new Date());
      expect(await store.completeRunIfDone(run.runId, new Date())).toBeUndefined(); // chunk 1 not loaded
      await store.markChunk(run.runId, 1, { transformed: { records: 10, rejected: 0, at: new Date() } });
      await store.markChunk(run.runId, 1, { loaded: { records: 10, at: new Date() } });
      const done = await store.completeRunIfDone(run.runId, new Date());
      expect(done?.status).toBe('completed');
      expect(done?.counts).toEqual({ extracted: 20, transformed: 19, rejected: 1, loaded: 19, chunksExtracted: 2, chunksLoaded: 2, splitsExtracted: 0 });
    });

    it('returns the completed run once: a chunk delivered again after completion completes nothing', async () => {
      const run = newRun();
      await store.createRun(run);
      await store.markChunk(run.runId, 0, { extracted: { records: 4, at: new Date() }, loaded: { records: 4, at: new Date() } });
      await store.markSourceEnded(run.runId, { totalChunks: 1, totalRecords: 4 }, new Date());
      expect((await store.completeRunIfDone(run.runId, new Date()))?.status).toBe('completed');
      await store.markChunk(run.runId, 0, { loaded: { records: 4, at: new Date() } });
      expect(await store.completeRunIfDone(run.runId, new Date())).toBeUndefined();
      expect((await store.getRun(run.runId))?.status).toBe('completed');
    });

    it('keeps the stored counts of a completed run current when a redriven record is loaded after completion', async () => {
      const run = newRun();
      await store.createRun(run);
      await store.markChunk(run.runId, 0, { extracted: { records: 4, at: new Date() }, transformed: { records: 3, rejected: 1, at: new Date() }, loaded: { records: 3, at: new Date() } });
      await store.markSourceEnded(run.runId, { totalChunks: 1, totalRecords: 4 }, new Date());
      expect((await store.completeRunIfDone(run.runId, new Date()))?.counts).toMatchObject({ transformed: 3, rejected: 1, loaded: 3 });
      await store.markRecordPatch(run.runId, 0, 2, { transformed: { records: 1, rejected: -1, at: new Date() }, loaded: { records: 1, at: new Date() } });
      expect(await store.completeRunIfDone(run.runId, new Date())).toBeUndefined();
      expect((await store.getRun(run.runId))?.counts).toMatchObject({ transformed: 4, rejected: 0, loaded: 4 });
    });

    it('never double counts a chunk marked twice (redelivery)', async () => {
      const run = newRun();
      await store.createRun(run);
      await store.markChunk(run.runId, 0, { extracted: { records: 5, at: new Date() } });
      await store.markChunk(run.runId, 0, { extracted: { records: 5, at: new Date() } });
      await store.markChunk(run.runId, 0, { loaded: { records: 5, at: new Date() } });
      await store.markChunk(run.runId, 0, { loaded: { records: 5, at: new Date() } });
      expect(await store.countRun(run.runId)).toMatchObject({ extracted: 5, loaded: 5, chunksExtracted: 1, chunksLoaded: 1 });
    });

    it('a reopened run completes again only when every chunk is loaded in the new generation', async () => {
      const run = newRun();
      await store.createRun(run);
      await store.markChunk(run.runId, 0, { extracted: { records: 3, at: new Date() }, loaded: { records: 3, at: new Date() } });
      await store.markChunk(run.runId, 1, { extracted: { records: 3, at: new Date() }, loaded: { records: 3, at: new Date() } });
      await store.markSourceEnded(run.runId, { totalChunks: 2, totalRecords: 6 }, new Date());
      expect((await store.completeRunIfDone(run.runId, new Date()))?.status).toBe('completed');

      expect(await store.reopenRun(run.runId, new Date())).toBe(1);
      expect((await store.getRun(run.runId))?.status).toBe('running');
      await store.markChunk(run.runId, 0, { loaded: { records: 3, at: new Date(), generation: 1 } });
      expect(await store.completeRunIfDone(run.runId, new Date())).toBeUndefined();
      // progress of the rerun itself: one of two chunks loaded again
      expect(await store.countRun(run.runId)).toMatchObject({ extracted: 6, loaded: 3, chunksLoaded: 1 });
      await store.markChunk(run.runId, 1, { loaded: { records: 3, at: new Date(), generation: 1 } });
      const again = await store.completeRunIfDone(run.runId, new Date());
      expect(again).toMatchObject({ status: 'completed', generation: 1, counts: { extracted: 6, loaded: 6, chunksLoaded: 2 } });
    });

    it('does not fail a completed run, and a failed run does not complete', async () => {
      const run = newRun();
      await store.createRun(run);
      await store.failRun(run.runId, { code: 'SOURCE_NOT_FOUND', message: 'no such file' }, new Date());
      await store.markSourceEnded(run.runId, { totalChunks: 0, totalRecords: 0 }, new Date());
      expect(await store.completeRunIfDone(run.runId, new Date())).toBeUndefined();
      const failed = await store.getRun(run.runId);
      expect(failed?.status).toBe('failed');
      expect(failed?.failure).toEqual({ code: 'SOURCE_NOT_FOUND', message: 'no such file' });
    });

    it('stages chunks idempotently and reads them back in order', async () => {
      const run = newRun();
      for (const seq of [2, 0, 1, 0]) {
        await store.stageChunk({ runId: run.runId, pipeline: 'flights', stage: 'extracted', chunkSeq: seq, firstRecordIndex: seq * 2, recordCount: 2, payload: Buffer.from([0, seq, 255]), stagedAt: new Date() });
        await store.markChunk(run.runId, seq, { extracted: { records: 2, at: new Date() } }); // staged, then marked, as the extractor does
      }
      await store.stageChunk({ runId: run.runId, pipeline: 'flights', stage: 'extracted', chunkSeq: 9, firstRecordIndex: 18, recordCount: 2, payload: Buffer.from([9]), stagedAt: new Date() }); // a crash before its mark: redone later, not read
      await store.stageChunk({ runId: `${run.runId}-other`, pipeline: 'flights', stage: 'extracted', chunkSeq: 0, firstRecordIndex: 0, recordCount: 0, payload: Buffer.alloc(0), stagedAt: new Date() });
      const seen: Array<[number, number, string]> = [];
      for await (const chunk of store.readChunks(run.runId, 'extracted')) seen.push([chunk.chunkSeq, chunk.firstRecordIndex, chunk.payload.toString('hex')]);
      expect(seen).toEqual([
        [0, 0, '0000ff'],
        [1, 2, '0001ff'],
        [2, 4, '0002ff'],
      ]);
      const transformed = [];
      for await (const chunk of store.readChunks(run.runId, 'transformed')) transformed.push(chunk);
      expect(transformed).toHaveLength(0);
    });

    it('keeps one rejection per id', async () => {
      const run = newRun();
      const rejection = { id: `${run.runId}:0:3`, runId: run.runId, pipeline: 'flights', stage: 'transformer', chunkSeq: 0, recordIndex: 3, errorCode: 'VALIDATION_FAILED', reason: 'unknown airport "XXX"', record: '{}', rejectedAt: new Date() };
      await store.recordRejections([rejection]);
      await store.recordRejections([rejection, { ...rejection, id: `${run.runId}:0:1`, recordIndex: 1 }]);
      expect((await store.listRejections(run.runId)).map((r) => r.recordIndex)).toEqual([1, 3]);
    });

    it('counts many runs in one call as countRun counts each, in their own generation', async () => {
      const [a, b, empty] = [newRun(), newRun(), newRun()];
      for (const run of [a, b, empty]) await store.createRun(run);
      await store.markChunk(a.runId, 0, { extracted: { records: 7, at: new Date() }, loaded: { records: 7, at: new Date() } });
      await store.markChunk(b.runId, 0, { extracted: { records: 4, at: new Date() }, loaded: { records: 4, at: new Date() } });
      await store.markChunk(b.runId, 1, { extracted: { records: 4, at: new Date() } });
      await store.reopenRun(b.runId, new Date());
      const runs = await Promise.all([a, b, empty].map(async (run) => (await store.getRun(run.runId))!));
      const counts = await store.countRuns(runs);
      for (const run of runs) expect(counts.get(run.runId)).toEqual(await store.countRun(run.runId));
      expect(counts.get(b.runId)).toMatchObject({ extracted: 8, loaded: 0, chunksLoaded: 0 });
      expect(counts.get(empty.runId)).toMatchObject({ extracted: 0, chunksExtracted: 0 });
      expect((await store.countRuns([])).size).toBe(0);
    });

    it('counts records waiting on a service per service until their chunk is transformed', async () => {
      const run = newRun();
      await store.createRun(run);
      for (const seq of [0, 1, 2]) await store.markChunk(run.runId, seq, { extracted: { records: 10, at: new Date() } });
      await store.markChunk(run.runId, 0, { waiting: { service: 'risk', pending: 10, at: new Date() } });
      await store.markChunk(run.runId, 1, { waiting: { service: 'risk', pending: 7, at: new Date() } });
      await store.markChunk(run.runId, 2, { waiting: { service: 'geo', pending: 3, at: new Date() } });
      await store.markChunk(run.runId, 0, { waiting: { service: 'risk', pending: 4, at: new Date() } }); // fewer on its next yield
      expect((await store.countRun(run.runId)).waiting).toEqual({ risk: 11, geo: 3 });
      await store.markChunk(run.runId, 2, { transformed: { records: 3, rejected: 0, at: new Date() } });
      expect((await store.countRun(run.runId)).waiting).toEqual({ risk: 11 });
      for (const seq of [0, 1]) await store.markChunk(run.runId, seq, { transformed: { records: 10, rejected: 0, at: new Date() } });
      expect((await store.countRun(run.runId)).waiting).toBeUndefined();
    });

    it('counts a redriven record that now passes into its run, once, without touching its chunk', async () => {
      const run = newRun();
      await store.createRun(run);
      await store.markChunk(run.runId, 0, { extracted: { records: 10, at: new Date() }, transformed: { records: 8, rejected: 2, at: new Date() }, loaded: { records: 8, at: new Date() } });
      for (let i = 0; i < 2; i++) {
        await store.markRecordPatch(run.runId, 0, 4, { transformed: { records: 1, rejected: -1, at: new Date() }, loaded: { records: 1, at: new Date() } });
      }
      expect(await store.countRun(run.runId)).toEqual({ extracted: 10, transformed: 9, rejected: 1, loaded: 9, chunksExtracted: 1, chunksLoaded: 1, splitsExtracted: 0 });
    });

    it('keeps dead letters with their bytes, filters them, and remembers redrives', async () => {
      const run = newRun();
      const letter = {
        id: `transformer:${run.runId}:0:4`, runId: run.runId, pipeline: 'flights', stage: 'transformer', errorCode: 'VALIDATION_FAILED', errorMessage: 'unknown airport',
        attempts: 1, failedAt: new Date(), topic: 'flights.extracted', partition: 2, offset: '17', key: Buffer.from('k'), value: Buffer.from([0, 1, 2]),
        headers: [{ key: 'etl-run-id', value: Buffer.from(run.runId) }], chunkSeq: 0, recordIndex: 4, record: '{}',
      };
      await store.recordDeadLetter(letter);
      await store.recordDeadLetter({ ...letter, id: `${letter.id}-other`, stage: 'loader' });
      expect((await store.getDeadLetter(letter.id))?.value).toEqual(Buffer.from([0, 1, 2]));
      expect((await store.listDeadLetters({ runId: run.runId, stage: 'transformer' })).map((d) => d.id)).toEqual([letter.id]);
      await store.markRedriven(letter.id, new Date());
      expect((await store.listDeadLetters({ runId: run.runId, open: true })).map((d) => d.id)).toEqual([`${letter.id}-other`]);
      await store.recordDeadLetter(letter); // failed again after the redrive: open again, the count stays
      expect((await store.getDeadLetter(letter.id))?.redrives).toBe(1);
      expect((await store.listDeadLetters({ runId: run.runId, open: true })).map((d) => d.id).sort()).toEqual([letter.id, `${letter.id}-other`]);
    });

    it('stages a run\'s plan once: a second planner gets the first plan back, and the run knows its split count', async () => {
      const run = newRun();
      await store.createRun(run);
      const split = (splitSeq: number) => ({ splitSeq, firstRecordIndex: splitSeq * 10, recordCount: 10, range: { unit: 'rows' as const, start: splitSeq * 10, end: splitSeq * 10 + 10 } });
      const plan = { runId: run.runId, pipeline: 'flights', fingerprint: '100:1', sourceId: '2024/flights.json', totalRecords: 20, splitRecords: 10, splitWindow: 6, splits: [split(0), split(1)], plannedAt: new Date() };
      expect((await store.savePlan(plan)).fingerprint).toBe('100:1');
      expect((await store.savePlan({ ...plan, fingerprint: '999:2', sourceId: 'other.json', splits: [split(0)] })).fingerprint).toBe('100:1');
      expect(await store.getPlan(run.runId)).toMatchObject({ sourceId: '2024/flights.json', splits: [split(0), split(1)] });
      expect((await store.getRun(run.runId))?.splitCount).toBe(2);
      await store.resetExtraction(run.runId);
      expect(await store.getPlan(run.runId)).toBeUndefined();
      expect((await store.getRun(run.runId))?.splitCount).toBeUndefined();
      // a plan staged before plans named their source reads back without one
      const { sourceId: _none, ...older } = plan;
      await store.savePlan(older);
      expect((await store.getPlan(run.runId))?.sourceId).toBeUndefined();
    });

    it('marks splits done once each, however often a split is redone, and counts them apart from chunks', async () => {
      const run = newRun();
      await store.createRun(run);
      await store.markChunk(run.runId, 0, { extracted: { records: 10, at: new Date() } });
      await store.markSplitDone(run.runId, 0, { chunks: 1, records: 10 });
      await store.markSplitDone(run.runId, 0, { chunks: 1, records: 10 });
      await store.markSplitDone(run.runId, 11, { chunks: 1, records: 3 });
      expect([...(await store.splitsDone(run.runId, [0, 1, 11]))].sort((a, b) => a - b)).toEqual([0, 11]);
      expect(await store.countRun(run.runId)).toMatchObject({ extracted: 10, chunksExtracted: 1, splitsExtracted: 2 });
    });

    it('loses no stage\'s mark when stages mark the same chunks at once (a redone split beside its loader)', async () => {
      const run = newRun();
      await store.createRun(run);
      const at = new Date();
      await Promise.all(
        Array.from({ length: 20 }, (_, seq) => [
          store.markChunk(run.runId, seq, { extracted: { records: 1, at } }),
          store.markChunk(run.runId, seq, { transformed: { records: 1, rejected: 0, at } }),
          store.markChunk(run.runId, seq, { loaded: { records: 1, at } }),
        ]).flat(),
      );
      expect(await store.countRun(run.runId)).toMatchObject({ extracted: 20, transformed: 20, loaded: 20, chunksExtracted: 20, chunksLoaded: 20 });
    });

    it('reads one chunk\'s extracted mark back by id, with its generation', async () => {
      const run = newRun();
      await store.createRun(run);
      await store.markChunk(run.runId, 3007, { extracted: { records: 5, at: new Date(), generation: 2 } });
      expect(await store.extractedMark(run.runId, 3007)).toMatchObject({ records: 5, generation: 2 });
      expect(await store.extractedMark(run.runId, 3008)).toBeUndefined();
    });

    it('keeps the last load of a clean input by its key, and counts a run\'s skipped chunks', async () => {
      const key = `input-${Date.now()}-${++n}`;
      expect(await store.getInputMark(key)).toBeUndefined();
      await store.markInput(key, { runId: 'first', digestId: 'flights:ids', digest: 'd1', records: 5, at: new Date(1000) });
      await store.markInput(key, { runId: 'second', digestId: 'flights:ids', digest: 'd2', records: 5, at: new Date(2000) });
      expect(await store.getInputMark(key)).toEqual({ runId: 'second', digestId: 'flights:ids', digest: 'd2', records: 5, at: new Date(2000) });

      const run = newRun();
      await store.createRun(run);
      await store.markChunk(run.runId, 0, { extracted: { records: 5, at: new Date(), generation: 0 } });
      await store.markChunk(run.runId, 1, { transformed: { records: 5, rejected: 0, at: new Date() }, loaded: { records: 5, at: new Date(), generation: 0, unchanged: true } });
      await store.markChunk(run.runId, 1, { extracted: { records: 5, at: new Date(), generation: 0, unchangedSince: 'second' } });
      expect(await store.countRun(run.runId)).toMatchObject({ extracted: 10, chunksExtracted: 2, transformed: 5, loaded: 5, chunksSkipped: 1, skippedFrom: ['second'] });
      expect(await store.extractedMark(run.runId, 1)).toMatchObject({ unchangedSince: 'second' });
    });

    it('loses no split mark when many workers finish splits of one run at once', async () => {
      const run = newRun();
      await store.createRun(run);
      await Promise.all(Array.from({ length: 40 }, (_, seq) => store.markSplitDone(run.runId, seq, { chunks: 1, records: 1 })));
      expect((await store.splitsDone(run.runId, Array.from({ length: 40 }, (_, seq) => seq))).size).toBe(40);
    });

    it('marks a run that stopped moving stalled, and running again when it moves', async () => {
      const run = newRun({ status: 'running', startedAt: new Date(Date.UTC(2030, 0, 1)) });
      const fresh = newRun({ status: 'running', startedAt: new Date(Date.UTC(2030, 0, 1)) });
      await store.createRun(run);
      await store.createRun(fresh);
      await store.markProgress(run.runId, 'transformer', new Date(Date.UTC(2030, 0, 1, 0, 1)));
      await store.markProgress(fresh.runId, 'loader', new Date(Date.UTC(2030, 0, 1, 0, 20)));
      const marked = await store.markStalledRuns(new Date(Date.UTC(2030, 0, 1, 0, 10)), new Date(Date.UTC(2030, 0, 1, 0, 21)));
      expect(marked.map((r) => r.runId).filter((id) => id === run.runId || id === fresh.runId)).toEqual([run.runId]);
      const stalled = await store.getRun(run.runId);
      expect(stalled?.status).toBe('stalled');
      expect(stalled?.stall?.stage).toBe('transformer');
      expect(stalled?.stall?.reason).toContain('no progress since 2030-01-01T00:01:00.000Z');
      await store.markProgress(run.runId, 'loader', new Date(Date.UTC(2030, 0, 1, 0, 22)));
      expect((await store.getRun(run.runId))?.status).toBe('running');
      expect((await store.getRun(run.runId))?.stall).toBeUndefined();
    });

    it('resumes a failed run in its generation; leaves other runs alone', async () => {
      const run = newRun();
      await store.createRun(run);
      expect(await store.resumeRun(run.runId, new Date())).toBe(false);
      await store.failRun(run.runId, { code: 'RETRIES_EXHAUSTED', message: 'gave up' }, new Date());
      expect(await store.resumeRun(run.runId, new Date())).toBe(true);
      const resumed = await store.getRun(run.runId);
      expect(resumed?.status).toBe('running');
      expect(resumed?.failure).toBeUndefined();
      expect(resumed?.generation ?? 0).toBe(0);
    });

    it('prunes closed runs older than the cutoff whole, keeps failed ones when asked, never touches open runs', async () => {
      const old = new Date(Date.UTC(2020, 0, 1));
      const recent = new Date(Date.UTC(2030, 0, 1));
      const seed = async (run: RunRecord, finishedAt: Date | undefined) => {
        await store.createRun(run);
        await store.markChunk(run.runId, 0, { extracted: { records: 2, at: old }, loaded: { records: 2, at: old } });
        await store.stageChunk({ runId: run.runId, pipeline: 'flights', stage: 'extracted', chunkSeq: 0, firstRecordIndex: 0, recordCount: 2, payload: Buffer.from([1]), stagedAt: old });
        await store.recordRejections([{ id: `${run.runId}:0:1`, runId: run.runId, pipeline: 'flights', stage: 'transformer', chunkSeq: 0, recordIndex: 1, errorCode: 'VALIDATION_FAILED', reason: 'x', record: '{}', rejectedAt: old }]);
        await store.recordDeadLetter({ id: `transformer:${run.runId}:0:1`, runId: run.runId, pipeline: 'flights', stage: 'transformer', errorCode: 'VALIDATION_FAILED', errorMessage: 'x', attempts: 1, failedAt: old, topic: 't', partition: 0, offset: '1', key: null, value: null, headers: [], chunkSeq: 0, recordIndex: 1, record: '{}' });
        await store.markInput(`input-of-${run.runId}`, { runId: run.runId, digestId: 'flights:ids', digest: 'd', records: 2, at: old });
        if (finishedAt && run.status === 'failed') await store.failRun(run.runId, { code: 'BAD_PARAMS', message: 'x' }, finishedAt);
        if (finishedAt && run.status !== 'failed') {
          await store.markSourceEnded(run.runId, { totalChunks: 1, totalRecords: 2 }, finishedAt);
          await store.completeRunIfDone(run.runId, finishedAt);
        }
      };
      const [gone, failed, kept, open] = [newRun(), newRun({ status: 'failed' }), newRun(), newRun({ status: 'running' })];
      await seed({ ...gone, status: 'requested' }, old);
      await seed(failed, old);
      await seed({ ...kept, status: 'requested' }, recent);
      await seed({ ...open, requestedAt: old }, undefined);
      const cutoff = new Date(Date.UTC(2025, 0, 1));

      const dry = await store.pruneRuns({ runsBefore: cutoff, keepFailed: true, dryRun: true });
      expect(dry.pruned).toEqual([gone.runId]);
      expect(await store.getRun(gone.runId)).toBeDefined();

      const done = await store.pruneRuns({ runsBefore: cutoff, keepFailed: true });
      expect(done.pruned).toEqual([gone.runId]);
      expect(await store.getRun(gone.runId)).toBeUndefined();
      expect(await store.listRejections(gone.runId)).toEqual([]);
      expect(await store.listDeadLetters({ runId: gone.runId })).toEqual([]);
      expect(await store.getDeadLetter(`transformer:${gone.runId}:0:1`)).toBeUndefined();
      expect(await store.countRun(gone.runId)).toMatchObject({ extracted: 0, chunksExtracted: 0 });
      const staged = [];
      for await (const chunk of store.readChunks(gone.runId, 'extracted')) staged.push(chunk);
      expect(staged).toEqual([]);
      // a later run of the pruned run's input must go through again: its only staged copy is gone
      expect(await store.getInputMark(`input-of-${gone.runId}`)).toBeUndefined();
      for (const run of [failed, kept, open]) {
        expect(await store.getRun(run.runId)).toBeDefined();
        expect(await store.listRejections(run.runId)).toHaveLength(1);
        expect(await store.getInputMark(`input-of-${run.runId}`)).toBeDefined();
      }
      expect((await store.pruneRuns({ runsBefore: cutoff })).pruned).toEqual([failed.runId]);
      expect(await store.getRun(open.runId)).toMatchObject({ status: 'running' });
    });

    it('expires a closed run\'s payloads earlier than its summary', async () => {
      const run = newRun();
      await store.createRun(run);
      await store.markChunk(run.runId, 0, { extracted: { records: 2, at: new Date() }, loaded: { records: 2, at: new Date() } });
      await store.stageChunk({ runId: run.runId, pipeline: 'flights', stage: 'extracted', chunkSeq: 0, firstRecordIndex: 0, recordCount: 2, payload: Buffer.from([1]), stagedAt: new Date() });
      await store.markInput(`input-of-${run.runId}`, { runId: run.runId, digestId: 'flights:ids', digest: 'd', records: 2, at: new Date() });
      await store.markSourceEnded(run.runId, { totalChunks: 1, totalRecords: 2 }, new Date(Date.UTC(2020, 0, 1)));
      await store.completeRunIfDone(run.runId, new Date(Date.UTC(2020, 0, 1)));
      const result = await store.pruneRuns({ runsBefore: new Date(Date.UTC(2000, 0, 1)), payloadsBefore: new Date(Date.UTC(2025, 0, 1)) });
      expect(await store.getInputMark(`input-of-${run.runId}`)).toBeUndefined(); // its payloads were the input's staged copy
      expect(result.payloadsExpired).toContain(run.runId);
      expect(result.pruned).not.toContain(run.runId);
      const stored = await store.getRun(run.runId);
      expect(stored?.payloadsExpiredAt?.getTime()).toEqual(expect.any(Number));
      expect(stored?.counts).toMatchObject({ extracted: 2, loaded: 2 });
      const staged = [];
      for await (const chunk of store.readChunks(run.runId, 'extracted')) staged.push(chunk);
      expect(staged).toEqual([]);
      // expired once: a second prune has nothing more to drop
      expect((await store.pruneRuns({ runsBefore: new Date(Date.UTC(2000, 0, 1)), payloadsBefore: new Date(Date.UTC(2025, 0, 1)) })).payloadsExpired).not.toContain(run.runId);
    });

    it('lists runs newest first', async () => {
      const older = newRun({ requestedAt: new Date(Date.UTC(2030, 0, 1)) });
      const newer = newRun({ requestedAt: new Date(Date.UTC(2030, 0, 2)) });
      await store.createRun(older);
      await store.createRun(newer);
      const ids = (await store.listRuns({ limit: 2 })).map((r) => r.runId);
      expect(ids).toEqual([newer.runId, older.runId]);
    });
  });
}
