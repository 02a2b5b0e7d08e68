/**
 * The one place secrets are masked before text leaves the process (log lines,
 * API error bodies, start-up failures). Patterns catch what can be recognised
 * (a URL's password, a password= parameter); literal secrets registered at
 * start-up catch the rest (a SASL password or token echoed in some message).
 */
const MASK = '***';
const registered = new Set<string>();

/** Masks `value` wherever it appears from now on; the apps feed it every configured secret. Short values are ignored (they would mask ordinary words). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) registered.add(value);
}

export function registerSecrets(values: Iterable<string | undefined>): void {
  for (const value of values) registerSecret(value);
}

/** For tests: forget the registered secrets. */
export function clearRegisteredSecrets(): void {
  registered.clear();
}

// scheme://user:password@ — the password runs to the last @ before the host (an unencoded @ in it is a user's mistake we still mask)
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):[^\s/]*@/gi;
const PASSWORD_PARAM = /\b((?:password|passwd|pwd|secret|token|api[_-]?key)=)[^&\s"',;]*/gi;

export function redactSecrets(text: string): string {
  let out = text.replace(URL_USERINFO, `$1:${MASK}@`).replace(PASSWORD_PARAM, `$1${MASK}`);
  for (const secret of registered) if (out.includes(secret)) out = out.split(secret).join(MASK);
  return out;
}

/** Every string inside a value redacted (objects and arrays copied, depth bounded, cycles left as they are). */
export function redactDeep<T>(value: T, depth = 0, seen = new WeakSet<object>()): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (value === null || typeof value !== 'object' || depth > 8 || seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1, seen)) as T;
  if (value instanceof Error || Buffer.isBuffer(value)) return value;
  const out: Record<string | symbol, unknown> = {};
  for (const key of Reflect.ownKeys(value)) out[key] = redactDeep((value as Record<string | symbol, unknown>)[key], depth + 1, seen);
  return out as T;
}
