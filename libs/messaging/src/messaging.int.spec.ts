import { createSilentLogger } from '@brokered-etl/observability';
import type { AvroRecordSchema } from '@brokered-etl/contracts';
import { EtlError } from '@brokered-etl/errors';
import { integrationEnv, uniqueName, waitFor } from '@brokered-etl/testing';
import { createAvroRegistry, createKafkaClient, createMessageProducer, ensureTopics } from './index';

const greeting = (extra: AvroRecordSchema['fields'] = []): AvroRecordSchema => ({
  type: 'record',
  name: 'Greeting',
  namespace: 'io.brokeredetl.test',
  fields: [{ name: 'text', type: 'string' }, { name: 'count', type: 'int' }, ...extra],
});

describe('Kafka + schema registry (real services)', () => {
  const env = integrationEnv();
  const logger = createSilentLogger();
  const kafka = createKafkaClient({ brokers: env.kafkaBrokers, clientId: 'messaging-int', logger });
  const registry = createAvroRegistry({ url: env.schemaRegistryUrl });

  it('registers an Avro schema, produces through the broker, consumes and decodes', async () => {
    const topic = uniqueName('it.greetings');
    await ensureTopics(kafka, [{ topic, partitions: 2 }]);
    const id = await registry.ensureSchema(`${topic}-value`, greeting());
    expect(await registry.ensureSchema(`${topic}-value`, greeting())).toBe(id); // idempotent

    const producer = createMessageProducer(kafka);
    await producer.connect();
    await producer.send(topic, [
      { key: 'a', value: await registry.encode(id, { text: 'hello', count: 1 }) },
      { key: 'b', value: await registry.encode(id, { text: 'world', count: 2 }) },
    ]);
    await producer.disconnect();

    const received: unknown[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('it.group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void received.push(await registry.decode(message.value)) });
    await waitFor('two decoded messages', () => received.length === 2);
    await consumer.disconnect();
    expect(received).toEqual(expect.arrayContaining([{ text: 'hello', count: 1 }, { text: 'world', count: 2 }]));
  });

  it('accepts a backward-compatible change and refuses an incompatible one with a clear error', async () => {
    const subject = `${uniqueName('it.evolve')}-value`;
    await registry.ensureSchema(subject, greeting());
    // a new field with a default: old data still readable → accepted
    await registry.ensureSchema(subject, greeting([{ name: 'lang', type: 'string', default: 'en' }]));

    // a new field without a default breaks BACKWARD: readers cannot fill it from old data
    const breaking = greeting([
      { name: 'lang', type: 'string', default: 'en' },
      { name: 'mandatory', type: 'long' },
    ]);
    const failure = await registry.ensureSchema(subject, breaking).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(EtlError);
    expect((failure as EtlError).code).toBe('SCHEMA_INCOMPATIBLE');
    expect((failure as EtlError).message).toMatch(new RegExp(`not BACKWARD-compatible.*${subject}`));
  });

  it('classifies undecodable bytes and unknown schema ids as permanent decode errors', async () => {
    await expect(registry.decode(Buffer.from('not avro at all'))).rejects.toMatchObject({ code: 'DECODE_FAILED', retriable: false });
    const unknownId = Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 2, 4]);
    await expect(registry.decode(unknownId)).rejects.toMatchObject({ code: 'SCHEMA_UNKNOWN', retriable: false });
  });

  it('calls encoding with a schema id the registry does not know permanent', async () => {
    await expect(registry.encode(0x7ffffff0, { text: 'x', count: 1 })).rejects.toMatchObject({ code: 'SCHEMA_UNKNOWN', retriable: false });
  });

  it('sends credentials in the URL as Basic auth, and keeps them out of every error', async () => {
    const withCredentials = new URL(env.schemaRegistryUrl);
    withCredentials.username = 'etl';
    withCredentials.password = 'hunter2';
    // the local registry ignores auth: what matters is that fetch no longer refuses the URL
    expect(await createAvroRegistry({ url: withCredentials.toString() }).ensureSchema(`${uniqueName('it.auth')}-value`, greeting())).toEqual(expect.any(Number));

    // nothing listens on port 1: every edge is transient, and none says the password
    const away = createAvroRegistry({ url: 'http://etl:hunter2@127.0.0.1:1/' });
    const wire = Buffer.from([0, 0, 0, 0, 42, 2, 4]);
    const failures = await Promise.all([away.ensureSchema('s-value', greeting()), away.encode(42, { text: 'x', count: 1 }), away.decode(wire)].map((p) => p.catch((err: unknown) => err)));
    for (const failure of failures) {
      expect(failure).toMatchObject({ code: 'REGISTRY_UNAVAILABLE', retriable: true });
      expect(JSON.stringify({ message: (failure as Error).message, details: (failure as EtlError).details })).not.toMatch(/hunter2/);
    }
  });
});
