import { ConfigError, parseEnv } from '@brokered-etl/config';
import { apiAuthFrom, apiEnvSchema, describeAuth, isLoopbackHost } from './api.config';

const READ = 'read-token-0123456789';
const WRITE = 'write-token-0123456789';

describe('api environment', () => {
  it('listens on loopback:8080, records hidden, 60 writes a minute, 5 streams a client, by default', () => {
    const env = parseEnv(apiEnvSchema, { API_TOKEN: WRITE });
    expect(env).toMatchObject({ API_HOST: '127.0.0.1', API_PORT: 8080, MONGO_DB: 'brokered_etl', API_EXPOSE_RECORDS: false, API_WRITES_PER_MINUTE: 60, API_EVENT_STREAMS_PER_CLIENT: 5 });
  });

  it('without any token nor API_AUTH=none refuses to start, saying exactly what to set', () => {
    expect(() => parseEnv(apiEnvSchema, {})).toThrow(ConfigError);
    expect(() => parseEnv(apiEnvSchema, {})).toThrow(/API_TOKENS: the API needs a token: set API_TOKENS=read:<token>,write:<token> \(or API_TOKEN=<token>.*or API_AUTH=none/);
    expect(() => parseEnv(apiEnvSchema, { API_TOKEN: '' })).toThrow(/API_TOKENS: the API needs a token/);
    expect(() => parseEnv(apiEnvSchema, { API_AUTH: 'token' })).toThrow(/API_TOKENS: the API needs a token/);
  });

  it('API_TOKENS takes scoped tokens; API_TOKEN adds one write token', () => {
    const env = parseEnv(apiEnvSchema, { API_TOKENS: ` read:${READ} , write:${WRITE}`, API_TOKEN: 'legacy-token-0123456789' });
    expect(apiAuthFrom(env)).toEqual({
      kind: 'tokens',
      tokens: [
        { scope: 'read', token: READ },
        { scope: 'write', token: WRITE },
        { scope: 'write', token: 'legacy-token-0123456789' },
      ],
    });
    expect(describeAuth(apiAuthFrom(env))).toBe('bearer token on every route but /healthz (1 read, 2 write)');
  });

  it('names the entry at fault, never echoing the token', () => {
    for (const [tokens, problem] of [
      ['read:short', /API_TOKENS: entry 1: the token must be at least 16 characters/],
      [`read:${READ},admin:${WRITE}`, /API_TOKENS: entry 2 must be read:<token> or write:<token>/],
      [WRITE, /API_TOKENS: entry 1 must be read:<token> or write:<token>/],
      [`write:${WRITE} x`, /API_TOKENS: entry 1: the token may hold visible ASCII characters except the comma/],
    ] as const) {
      let message = '';
      try {
        parseEnv(apiEnvSchema, { API_TOKENS: tokens });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(problem);
      expect(message).not.toContain(WRITE);
    }
    expect(() => parseEnv(apiEnvSchema, { API_TOKEN: 'short' })).toThrow(/API_TOKEN: must be at least 16 characters/);
  });

  it('API_AUTH=none runs without a token on loopback only', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', '::1', '[::1]']) {
      const env = parseEnv(apiEnvSchema, { API_AUTH: 'none', API_HOST: host });
      expect(apiAuthFrom(env)).toEqual({ kind: 'none' });
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'api.example.com', '128.0.0.1']) {
      expect(() => parseEnv(apiEnvSchema, { API_AUTH: 'none', API_HOST: host })).toThrow(new RegExp(`API_AUTH: none is refused with API_HOST=${host.replace(/\./g, '\\.')}: .*set API_TOKENS=`));
    }
    expect(() => parseEnv(apiEnvSchema, { API_AUTH: 'none', API_TOKEN: WRITE })).toThrow(/API_AUTH: none contradicts API_TOKENS\/API_TOKEN/);
  });

  it('knows loopback hosts', () => {
    expect(['127.0.0.1', '127.255.255.254', 'LOCALHOST', '::1', '::ffff:127.0.0.1'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '127.0.0.256', '127.1', 'localhost.example.com', '10.0.0.1', ''].some(isLoopbackHost)).toBe(false);
  });

  it('takes record exposure as true/false, limits as positive integers, and names the variable when a value is wrong', () => {
    expect(parseEnv(apiEnvSchema, { API_TOKEN: WRITE, API_EXPOSE_RECORDS: 'true', API_PORT: '0' })).toMatchObject({ API_EXPOSE_RECORDS: true, API_PORT: 0 });
    expect(() => parseEnv(apiEnvSchema, { API_TOKEN: WRITE, API_EXPOSE_RECORDS: 'yes' })).toThrow(/API_EXPOSE_RECORDS: must be true or false/);
    expect(() => parseEnv(apiEnvSchema, { API_TOKEN: WRITE, API_WRITES_PER_MINUTE: '0' })).toThrow(/API_WRITES_PER_MINUTE/);
    expect(() => parseEnv(apiEnvSchema, { API_TOKEN: WRITE, API_PORT: 'http' })).toThrow(ConfigError);
    expect(() => parseEnv(apiEnvSchema, { API_TOKEN: WRITE, API_PORT: '70000' })).toThrow(/API_PORT/);
  });
});
