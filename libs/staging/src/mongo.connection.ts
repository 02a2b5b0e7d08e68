import { MongoClient, type Db } from 'mongodb';
import { EtlError } from '@brokered-etl/errors';
import { redactSecrets } from '@brokered-etl/observability';

export interface MongoConnectionOptions {
  url: string;
  database: string;
  appName?: string;
}

export interface MongoConnection {
  client: MongoClient;
  db: Db;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The client for MONGO_URL, not connected. Credentials, TLS, replica set and
 * SRV come from the URL and its options: nothing here overrides the topology
 * (a single-host URL is discovered, which FerretDB and a lone mongod answer as
 * standalone). Writes are not retried by the driver unless the URL asks
 * (FerretDB has no retryable writes; every write here is an idempotent upsert).
 */
export function createMongoClient(options: MongoConnectionOptions): MongoClient {
  const asksRetryWrites = /[?&]retryWrites=/i.test(options.url);
  return new MongoClient(options.url, { appName: options.appName, serverSelectionTimeoutMS: 5000, ...(asksRetryWrites ? {} : { retryWrites: false }) });
}

export async function connectMongo(options: MongoConnectionOptions): Promise<MongoConnection> {
  const client = createMongoClient(options);
  try {
    await client.connect();
  } catch (cause) {
    // the URL may carry a password: masked here, as everything logged is
    throw new EtlError('DATABASE_UNAVAILABLE', redactSecrets(`cannot connect to MongoDB at ${options.url}: ${(cause as Error).message}`), { cause });
  }
  const db = client.db(options.database);
  return {
    client,
    db,
    async ping() {
      await db.command({ ping: 1 });
    },
    close: () => client.close(),
  };
}
