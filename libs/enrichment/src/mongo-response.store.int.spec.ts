import { integrationEnv, uniqueName } from '@brokered-etl/testing';
import { connectMongo } from '@brokered-etl/staging';
import { createMongoResponseStore } from './mongo-response.store';
import { responseStoreConformance } from './response-store.conformance';

// the same suite as the memory store, against the real database (FerretDB here)
responseStoreConformance('MongoDB response store', async () => {
  const connection = await connectMongo({ url: integrationEnv().mongoUrl, database: uniqueName('it_enrichment').replace(/[.-]/g, '_') });
  return {
    store: createMongoResponseStore(connection.db),
    close: async () => {
      await connection.db.dropDatabase().catch(() => undefined);
      await connection.close();
    },
  };
});
