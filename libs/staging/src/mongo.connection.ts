import { MongoClient, type Db } from 'mongodb';
import { EtlError } from '@brokered-etl/errors';

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

export async function connectMongo(options: MongoConnectionOptions): Promise<MongoConnection> {
  const client = new MongoClient(options.url, {
    appName: options.appName,
    serverSelectionTimeoutMS: 5000,
    // FerretDB and a single mongod both answer as standalone servers
    directConnection: true,
    retryWrites: false,
  });
  try {
    await client.connect();
  } catch (cause) {
    throw new EtlError('DATABASE_UNAVAILABLE', `cannot connect to MongoDB at ${options.url}: ${(cause as Error).message}`, { cause });
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
