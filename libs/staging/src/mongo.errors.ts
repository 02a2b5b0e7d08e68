import { BSON, MongoBulkWriteError, MongoError, MongoInvalidArgumentError, MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { EtlError } from '@brokered-etl/errors';

/** MongoDB's (and FerretDB's) code for a write that hit an existing unique key. */
export const DUPLICATE_KEY = 11000;

export const isDuplicateKey = (err: unknown): boolean => err instanceof MongoError && err.code === DUPLICATE_KEY;

/** Server answers that mean "not now": the node is stepping down, shutting down or cannot reach its peers. */
const TRANSIENT_CODES: ReadonlyMap<number, string> = new Map([
  [6, 'HostUnreachable'],
  [7, 'HostNotFound'],
  [89, 'NetworkTimeout'],
  [91, 'ShutdownInProgress'],
  [189, 'PrimarySteppedDown'],
  [262, 'ExceededTimeLimit'],
  [9001, 'SocketException'],
  [10107, 'NotWritablePrimary'],
  [11600, 'InterruptedAtShutdown'],
  [11602, 'InterruptedDueToReplStateChange'],
  [13435, 'NotPrimaryNoSecondaryOk'],
  [13436, 'NotPrimaryOrSecondary'],
]);

/** Server answers the same write gets every time. */
const DETERMINISTIC_CODES: ReadonlyMap<number, string> = new Map([
  [2, 'BadValue'],
  [9, 'FailedToParse'],
  [14, 'TypeMismatch'],
  [22, 'InvalidBSON'],
  [52, 'DollarPrefixedFieldName'],
  [53, 'InvalidIdField'],
  [56, 'EmptyFieldName'],
  [66, 'ImmutableField'],
  [121, 'DocumentValidationFailure'],
  [10334, 'BSONObjectTooLarge'],
]);

/** The server's codes in an error: its own, and each failed document's in a bulk write. */
function serverCodesOf(err: MongoServerError): number[] {
  const codes = typeof err.code === 'number' ? [err.code] : [];
  if (err instanceof MongoBulkWriteError) codes.push(...[err.writeErrors].flat().map((w) => w.code));
  return codes;
}

function isTransient(err: unknown): boolean {
  if (err instanceof MongoNetworkError || err instanceof MongoServerSelectionError) return true;
  if (!(err instanceof MongoError)) return false;
  if (err.hasErrorLabel('RetryableWriteError')) return true;
  return typeof err.code === 'number' && TRANSIENT_CODES.has(err.code);
}

/** The deterministic code, or the driver's refusal, that makes err permanent; undefined when it is not. */
function rejectionOf(err: unknown): string | undefined {
  // the driver refuses before sending: an oversized document, an argument of the wrong shape, unserialisable BSON
  if (err instanceof MongoInvalidArgumentError || err instanceof BSON.BSONError) return err.name;
  if (!(err instanceof MongoServerError)) return undefined;
  const code = serverCodesOf(err).find((c) => DETERMINISTIC_CODES.has(c));
  return code === undefined ? undefined : `${DETERMINISTIC_CODES.get(code)} (${code})`;
}

/**
 * Driver errors become EtlErrors at this edge, by class, label and server code,
 * never by text: the database away for now is transient, a write it refuses
 * deterministically is permanent. Anything else (a duplicate key the caller
 * handles, an unknown code) passes through unchanged: unknown to this edge, it
 * gets the runtime's bounded retries.
 */
export async function guard<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (cause) {
    if (cause instanceof EtlError) throw cause;
    if (isTransient(cause)) {
      throw new EtlError('DATABASE_UNAVAILABLE', `${what}: database unavailable (${(cause as Error).message})`, { cause });
    }
    const rejection = rejectionOf(cause);
    if (rejection !== undefined) {
      throw new EtlError('DATABASE_REJECTED', `${what}: the database refused it: ${rejection}: ${(cause as Error).message}`, { cause, details: { reason: rejection } });
    }
    throw cause;
  }
}
