import type { ResponseStore, StagedResponse } from './response.store';

/** For unit tests; the same conformance suite as the MongoDB store. */
export function createMemoryResponseStore(): ResponseStore & { size(): number } {
  const docs = new Map<string, StagedResponse>();
  return {
    async get(ids) {
      const found = new Map<string, StagedResponse>();
      for (const id of ids) {
        const doc = docs.get(id);
        if (doc) found.set(id, structuredClone(doc));
      }
      return found;
    },
    async put(response) {
      docs.set(response.id, structuredClone(response));
    },
    size: () => docs.size,
  };
}
