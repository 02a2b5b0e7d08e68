import type { ResponseStore, StagedResponse } from './response.store';

/** One suite for every ResponseStore: the memory one in unit tests, the MongoDB one against FerretDB. */
export function responseStoreConformance(name: string, open: () => Promise<{ store: ResponseStore; close(): Promise<void> }>): void {
  describe(`${name} (ResponseStore conformance)`, () => {
    let store: ResponseStore;
    let close: () => Promise<void>;
    beforeEach(async () => ({ store, close } = await open()));
    afterEach(async () => close());

    const response = (key: string, fields: Partial<StagedResponse> = {}): StagedResponse => ({
      id: `p|1|${key}`,
      pipeline: 'p',
      service: 's',
      version: '1',
      key,
      outcome: 'answer',
      body: JSON.stringify({ key, nested: { 'a.b': 1, $c: [1, 2] } }),
      fetchedAt: new Date('2026-12-02T08:00:00.000Z'),
      runId: 'r1',
      ...fields,
    });

    it('returns what was put, by id, and nothing for unknown ids', async () => {
      await store.put(response('JFK'));
      await store.put(response('LAX', { outcome: 'refused', body: undefined, reason: '422 no' }));
      const found = await store.get(['p|1|JFK', 'p|1|LAX', 'p|1|nope']);
      expect([...found.keys()].sort()).toEqual(['p|1|JFK', 'p|1|LAX']);
      expect(found.get('p|1|JFK')).toEqual(response('JFK'));
      expect(found.get('p|1|LAX')).toMatchObject({ outcome: 'refused', reason: '422 no' });
    });

    it('replaces a response under the same id (a refresh), keeping no field of the old one', async () => {
      await store.put(response('JFK', { outcome: 'pending', body: undefined, jobId: 'job-1' }));
      await store.put(response('JFK', { fetchedAt: new Date('2026-12-02T09:00:00.000Z') }));
      const doc = (await store.get(['p|1|JFK'])).get('p|1|JFK')!;
      expect(doc.outcome).toBe('answer');
      expect(doc.jobId).toBeUndefined();
      expect(doc.fetchedAt.toISOString()).toBe('2026-12-02T09:00:00.000Z');
    });
  });
}
