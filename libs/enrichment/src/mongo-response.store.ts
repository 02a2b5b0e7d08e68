import { EtlError } from '@brokered-etl/errors';
import type { MongoConnection } from '@brokered-etl/staging';
import type { ResponseStore, StagedResponse } from './response.store';

type ResponseDoc = Omit<StagedResponse, 'id'> & { _id: string };

/** The collection of staged enrichment responses, beside staging's own (`staging.*`) in the staging database. */
export const RESPONSES_COLLECTION = 'enrichment.responses';

/** Reads at once: a chunk's keys are looked up by _id in parallel, never with a filter FerretDB would scan for. */
const READ_CONCURRENCY = 8;

export function createMongoResponseStore(db: MongoConnection['db']): ResponseStore {
  const responses = db.collection<ResponseDoc>(RESPONSES_COLLECTION);
  return {
    async get(ids) {
      const found = new Map<string, StagedResponse>();
      let next = 0;
      const reader = async () => {
        while (next < ids.length) {
          const id = ids[next++];
          const doc = await guard('read staged response', () => responses.findOne({ _id: id }));
          if (doc) found.set(id, toResponse(doc));
        }
      };
      await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, ids.length) }, reader));
      return found;
    },
    async put(response) {
      const { id, ...rest } = response;
      await guard('stage response', () => responses.replaceOne({ _id: id }, withoutUndefined(rest), { upsert: true }));
    },
  };
}

function toResponse({ _id, ...rest }: ResponseDoc): StagedResponse {
  return { id: _id, ...rest } as StagedResponse;
}

const withoutUndefined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** The driver's errors are transient to us (the database is away or busy); the chunk is retried. */
async function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    throw new EtlError('DATABASE_UNAVAILABLE', `${what}: ${(cause as Error).message}`, { cause });
  }
}
