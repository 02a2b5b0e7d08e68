import { BSON, MongoBulkWriteError, MongoInvalidArgumentError, MongoNetworkError, MongoNetworkTimeoutError, MongoServerError, MongoServerSelectionError, type BulkWriteResult, type TopologyDescription } from 'mongodb';
import { EtlError } from '@brokered-etl/errors';
import { guard } from './mongo.errors';

/** What guard turns a driver error into (or the error itself when it lets it through). */
async function guarded(err: unknown): Promise<unknown> {
  return guard('stage chunk', async () => {
    throw err;
  }).catch((e: unknown) => e);
}

const server = (code: number, codeName: string, extra: Record<string, unknown> = {}) => new MongoServerError({ message: `${codeName} from the server`, code, codeName, ...extra });
const bulk = (codes: number[]) =>
  new MongoBulkWriteError({ message: 'write errors', code: codes[0], writeErrors: codes.map((code, index) => ({ code, index, errmsg: `failed ${code}` })) } as never, {} as BulkWriteResult);

describe('guard', () => {
  it('passes results through', async () => {
    await expect(guard('count runs', async () => 3)).resolves.toBe(3);
  });

  it('calls the database unavailable on network trouble, server selection, a retryable-write label and "not now" server codes', async () => {
    const transient = [
      new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed'),
      new MongoNetworkTimeoutError('connection timed out'),
      new MongoServerSelectionError('Server selection timed out after 5000 ms', {} as TopologyDescription),
      server(999, 'SomethingNew', { errorLabels: ['RetryableWriteError'] }),
      server(10107, 'NotWritablePrimary'),
      server(11600, 'InterruptedAtShutdown'),
      server(91, 'ShutdownInProgress'),
      server(6, 'HostUnreachable'),
      server(89, 'NetworkTimeout'),
    ];
    for (const cause of transient) {
      const mapped = await guarded(cause);
      expect(mapped).toBeInstanceOf(EtlError);
      expect(mapped).toMatchObject({ code: 'DATABASE_UNAVAILABLE', retriable: true, cause });
      expect((mapped as Error).message).toMatch(/^stage chunk: database unavailable/);
    }
  });

  it('calls a write the database refuses every time rejected, naming the reason', async () => {
    const cases: Array<[unknown, string]> = [
      [server(10334, 'BSONObjectTooLarge'), 'BSONObjectTooLarge (10334)'],
      [server(121, 'DocumentValidationFailure'), 'DocumentValidationFailure (121)'],
      [server(2, 'BadValue'), 'BadValue (2)'],
      [server(14, 'TypeMismatch'), 'TypeMismatch (14)'],
      // one bad document in a bulk fails the redo the same way, duplicates or not
      [bulk([11000, 121]), 'DocumentValidationFailure (121)'],
      [new MongoInvalidArgumentError('Document is larger than the maximum size 16777216'), 'MongoInvalidArgumentError'],
      [bsonErrorOf(() => BSON.serialize('not a document' as never)), 'BSONError'],
    ];
    for (const [cause, reason] of cases) {
      const mapped = await guarded(cause);
      expect(mapped).toMatchObject({ code: 'DATABASE_REJECTED', retriable: false, cause, details: { reason } });
      expect((mapped as Error).message).toMatch(new RegExp(`^stage chunk: the database refused it: ${reason.replace(/[()]/g, '\\$&')}: `));
    }
  });

  it('lets through what it does not know, and EtlErrors as they are', async () => {
    for (const cause of [server(11000, 'DuplicateKey'), bulk([11000, 11000]), server(12345, 'SomethingNew'), new Error('bug'), new EtlError('SOURCE_CHANGED', 'moved')]) {
      expect(await guarded(cause)).toBe(cause);
    }
  });
});

function bsonErrorOf(work: () => unknown): unknown {
  try {
    work();
  } catch (err) {
    return err;
  }
  throw new Error('expected a BSON error');
}
