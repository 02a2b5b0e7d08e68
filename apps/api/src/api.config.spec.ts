import { ConfigError, parseEnv } from '@brokered-etl/config';
import { apiEnvSchema } from './api.config';

describe('api environment', () => {
  it('listens on loopback:8080 without a token by default', () => {
    const env = parseEnv(apiEnvSchema, {});
    expect(env).toMatchObject({ API_HOST: '127.0.0.1', API_PORT: 8080, MONGO_DB: 'brokered_etl' });
    expect(env.API_TOKEN).toBeUndefined();
  });

  it('takes a port (0: any free one) and a token; an empty token means none', () => {
    expect(parseEnv(apiEnvSchema, { API_PORT: '0', API_TOKEN: 'a-long-enough-token' })).toMatchObject({ API_PORT: 0, API_TOKEN: 'a-long-enough-token' });
    expect(parseEnv(apiEnvSchema, { API_TOKEN: '' }).API_TOKEN).toBeUndefined();
  });

  it('names the variable when a value is wrong', () => {
    expect(() => parseEnv(apiEnvSchema, { API_PORT: 'http' })).toThrow(ConfigError);
    expect(() => parseEnv(apiEnvSchema, { API_PORT: '70000' })).toThrow(/API_PORT/);
    expect(() => parseEnv(apiEnvSchema, { API_TOKEN: 'short' })).toThrow(/API_TOKEN: must be at least 16 characters/);
  });
});
