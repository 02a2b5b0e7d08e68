import { createMongoClient } from './mongo.connection';

describe('createMongoClient', () => {
  it('accepts a mongodb+srv:// URL with credentials and TLS options without forcing a direct connection', () => {
    // constructing resolves nothing: no network
    const client = createMongoClient({ url: 'mongodb+srv://etl:pw@cluster0.example.net/brokered_etl?authSource=admin&tls=true', database: 'x' });
    expect(client.options.srvHost).toBe('cluster0.example.net');
    expect(client.options.directConnection).toBe(false);
    expect(client.options.tls).toBe(true);
    expect(client.options.credentials?.username).toBe('etl');
  });

  it('leaves a replica set URL to the driver’s discovery', () => {
    const client = createMongoClient({ url: 'mongodb://a:27017,b:27017/?replicaSet=rs0', database: 'x' });
    expect(client.options.replicaSet).toBe('rs0');
    expect(client.options.directConnection).toBe(false);
    expect(client.options.retryWrites).toBe(false);
  });

  it('honours what the URL says about retryable writes and direct connections', () => {
    const client = createMongoClient({ url: 'mongodb://db:27017/?retryWrites=true&directConnection=true', database: 'x' });
    expect(client.options.retryWrites).toBe(true);
    expect(client.options.directConnection).toBe(true);
  });
});
