import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { AvroRecordSchema } from '@brokered-etl/contracts';
import { EtlError } from '@brokered-etl/errors';
import { LOGICAL_TYPES } from './avro-logical-types';
import { lookupErrorOf, registryEndpointOf } from './registry.errors';

export type Compatibility = 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE';

export interface AvroRegistryOptions {
  /** May carry user:password: they are sent as Basic auth and never appear in errors. */
  url: string;
  /** Asked for on every subject we own; Apicurio and Confluent both default differently, so we always set it. */
  compatibility?: Compatibility;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/**
 * Avro serde over a Confluent-compatible registry. Registration checks
 * compatibility first so a breaking change stops the app at start-up with the
 * registry's own explanation, not at the first message.
 */
export function createAvroRegistry(options: AvroRegistryOptions) {
  const { base, auth } = registryEndpointOf(options.url);
  const compatibility = options.compatibility ?? 'BACKWARD';
  const registry = new SchemaRegistry(
    { host: base, auth, retry: { retries: 3, initialRetryTimeInSecs: 0.3 } },
    { [SchemaType.AVRO]: { logicalTypes: LOGICAL_TYPES } },
  );
  const authorization: Record<string, string> = auth ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } : {};

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': CONTENT_TYPE, accept: CONTENT_TYPE, ...authorization },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (cause) {
      throw new EtlError('REGISTRY_UNAVAILABLE', `schema registry at ${base} did not answer ${method} ${path}`, { cause });
    }
    const text = await response.text();
    let json: unknown = text;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // keep the text
    }
    if (response.status >= 500) {
      throw new EtlError('REGISTRY_UNAVAILABLE', `schema registry answered ${response.status} to ${method} ${path}: ${text.slice(0, 300)}`);
    }
    return { status: response.status, json };
  }

  /** Registers (or finds) the schema under subject and returns its id. Idempotent. */
  async function ensureSchema(subject: string, schema: AvroRecordSchema): Promise<number> {
    const subjectPath = `/subjects/${encodeURIComponent(subject)}`;
    const versions = await call('GET', `${subjectPath}/versions`);
    const exists = versions.status === 200 && Array.isArray(versions.json) && versions.json.length > 0;
    const schemaBody = { schema: JSON.stringify(schema) };

    if (exists) {
      await call('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility });
      const check = await call('POST', `/compatibility${subjectPath}/versions/latest?verbose=true`, schemaBody);
      const verdict = check.json as { is_compatible?: boolean; messages?: string[] } | undefined;
      if (check.status !== 200 || verdict?.is_compatible !== true) {
        const why = verdict?.messages?.join('; ') || JSON.stringify(check.json);
        throw new EtlError('SCHEMA_INCOMPATIBLE', `schema ${schema.namespace ?? ''}.${schema.name} is not ${compatibility}-compatible with the latest version of subject "${subject}": ${why}`, {
          details: { subject, compatibility },
        });
      }
    }
    const registered = await call('POST', `${subjectPath}/versions`, schemaBody);
    if (registered.status === 409) {
      throw new EtlError('SCHEMA_INCOMPATIBLE', `registry refused schema for subject "${subject}": ${JSON.stringify(registered.json)}`, { details: { subject } });
    }
    const id = (registered.json as { id?: number } | undefined)?.id;
    if (registered.status !== 200 || typeof id !== 'number') {
      throw new EtlError('REGISTRY_UNAVAILABLE', `registry did not register subject "${subject}": ${registered.status} ${JSON.stringify(registered.json)}`);
    }
    if (!exists) await call('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility });
    return id;
  }

  async function encode(schemaId: number, value: unknown): Promise<Buffer> {
    try {
      return await registry.encode(schemaId, value);
    } catch (cause) {
      throw lookupErrorOf(schemaId, cause, 'encode') ?? new EtlError('VALIDATION_FAILED', `value does not match schema ${schemaId}: ${(cause as Error).message}`, { cause });
    }
  }

  async function decode<T>(buffer: Buffer | null): Promise<T> {
    if (!buffer || buffer.length < 5 || buffer[0] !== 0) {
      throw new EtlError('DECODE_FAILED', 'message is not in the Confluent wire format (magic byte 0 + schema id + Avro)');
    }
    try {
      return (await registry.decode(buffer)) as T;
    } catch (cause) {
      throw lookupErrorOf(buffer.readInt32BE(1), cause, 'decode') ?? new EtlError('DECODE_FAILED', `cannot decode Avro payload: ${(cause as Error).message}`, { cause });
    }
  }

  return { ensureSchema, encode, decode, schemaType: SchemaType.AVRO };
}

export type AvroRegistry = ReturnType<typeof createAvroRegistry>;
