import { MongoError, MongoNetworkError, MongoServerSelectionError } from 'mongodb';
import { EtlError } from '@brokered-etl/errors';

/** MongoDB's (and FerretDB's) code for a write that hit an existing unique key. */
export const DUPLICATE_KEY = 11000;

export const isDuplicateKey = (err: unknown): boolean => err instanceof MongoError && err.code === DUPLICATE_KEY;

/** Driver errors become EtlErrors at this edge: network trouble is transient, the rest is a bug to surface. */
export async function guard<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (cause) {
    if (cause instanceof EtlError) throw cause;
    if (cause instanceof MongoNetworkError || cause instanceof MongoServerSelectionError) {
      throw new EtlError('DATABASE_UNAVAILABLE', `${what}: database unavailable (${cause.message})`, { cause });
    }
    if (cause instanceof MongoError && cause.hasErrorLabel?.('RetryableWriteError')) {
      throw new EtlError('DATABASE_UNAVAILABLE', `${what}: ${cause.message}`, { cause });
    }
    throw cause;
  }
}
