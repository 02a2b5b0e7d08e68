import { EtlError } from '@brokered-etl/errors';

export interface RegistryEndpoint {
  /** The URL without user:password: the only form that goes into requests' URLs, messages and logs. */
  base: string;
  auth?: { username: string; password: string };
}

/** Splits user:password off a registry URL; they travel as Basic auth (fetch refuses URLs that carry them). */
export function registryEndpointOf(url: string): RegistryEndpoint {
  const trimmed = url.replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    // not a URL: fetch will say so; the text is still shown without anything that looks like userinfo
    return { base: trimmed.replace(/\/\/[^/@]*@/, '//') };
  }
  if (!parsed.username && !parsed.password) return { base: trimmed };
  const auth = { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
  parsed.username = '';
  parsed.password = '';
  return { base: parsed.toString().replace(/\/+$/, ''), auth };
}

/**
 * A failed schema lookup inside the registry client's encode/decode, by the
 * HTTP status it carries, never by text. The client (mappersmith) reports a
 * request that got no answer as a status too (400, or 408 on a timeout), so
 * any status but 404 means the registry could not answer; no status means the
 * lookup worked and the Avro itself failed, which is the caller's to name.
 */
export function lookupErrorOf(schemaId: number, cause: unknown, action: 'encode' | 'decode'): EtlError | undefined {
  const status = cause instanceof Error ? (cause as { status?: unknown }).status : undefined;
  if (typeof status !== 'number') return undefined;
  if (status === 404) return new EtlError('SCHEMA_UNKNOWN', `schema id ${schemaId} is not in the registry`, { cause, details: { schemaId } });
  return new EtlError('REGISTRY_UNAVAILABLE', `schema registry unavailable while fetching schema ${schemaId} to ${action} (status ${status})`, { cause, details: { schemaId, status } });
}
