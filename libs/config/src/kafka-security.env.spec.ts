import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseWorkerEnvSchema, parseEnv } from './env.schema';
import { kafkaSecurityOf, secretsOf } from './kafka-security.env';

const dir = mkdtempSync(join(tmpdir(), 'kafka-security-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const parse = (env: Record<string, string>) => parseEnv(baseWorkerEnvSchema, env);

describe('Kafka security from the env', () => {
  it('is plaintext without authentication when nothing is set', () => {
    expect(kafkaSecurityOf(parse({}))).toEqual({ sasl: undefined, tls: undefined });
  });

  it('takes the SASL mechanism, user and password', () => {
    const env = parse({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'etl', KAFKA_SASL_PASSWORD: 'pw-1' });
    expect(kafkaSecurityOf(env)).toEqual({ sasl: { mechanism: 'scram-sha-256', username: 'etl', password: 'pw-1' }, tls: undefined });
  });

  it('reads the password from a file at parse time, without its trailing newline', () => {
    const env = parse({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'etl', KAFKA_SASL_PASSWORD_FILE: file('pw', 'from-file\n') });
    expect(kafkaSecurityOf(env).sasl?.password).toBe('from-file');
  });

  it('reads the TLS files, and turns TLS on when one is given', () => {
    const env = parse({ KAFKA_TLS_CA_FILE: file('ca.pem', 'CA'), KAFKA_TLS_CERT_FILE: file('c.pem', 'CERT'), KAFKA_TLS_KEY_FILE: file('k.pem', 'KEY') });
    expect(kafkaSecurityOf(env).tls).toEqual({ ca: 'CA', cert: 'CERT', key: 'KEY' });
    expect(kafkaSecurityOf(parse({ KAFKA_TLS: 'true' })).tls).toBe(true);
    expect(kafkaSecurityOf(parse({ KAFKA_TLS: 'false' })).tls).toBeUndefined();
  });

  it('names the variable of each problem', () => {
    expect(() => parse({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/KAFKA_SASL_MECHANISM/);
    expect(() => parse({ KAFKA_TLS_CA_FILE: join(dir, 'missing.pem') })).toThrow(/KAFKA_TLS_CA_FILE: cannot read the CA file .*ENOENT/);
    expect(() => kafkaSecurityOf(parse({ KAFKA_SASL_MECHANISM: 'plain' }))).toThrow(/KAFKA_SASL_USERNAME: required[\s\S]*KAFKA_SASL_PASSWORD: required/);
    expect(() => kafkaSecurityOf(parse({ KAFKA_SASL_USERNAME: 'etl', KAFKA_SASL_PASSWORD: 'x' }))).toThrow(/KAFKA_SASL_MECHANISM: required/);
    expect(() => kafkaSecurityOf(parse({ KAFKA_TLS: 'false', KAFKA_TLS_CA_FILE: file('ca2.pem', 'CA') }))).toThrow(/KAFKA_TLS: is false/);
    expect(() => kafkaSecurityOf(parse({ KAFKA_TLS_CERT_FILE: file('c2.pem', 'CERT') }))).toThrow(/KAFKA_TLS_CERT_FILE/);
  });

  it('never repeats a password in a configuration error', () => {
    let message = '';
    try {
      kafkaSecurityOf(parse({ KAFKA_SASL_PASSWORD: 'never-shown-pw' }));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/KAFKA_SASL_MECHANISM/);
    expect(message).not.toContain('never-shown-pw');
  });

  it('accepts mongodb+srv:// URLs', () => {
    expect(parse({ MONGO_URL: 'mongodb+srv://u:p@cluster0.example.net/' }).MONGO_URL).toBe('mongodb+srv://u:p@cluster0.example.net/');
    expect(() => parse({ MONGO_URL: 'postgres://x' })).toThrow(/MONGO_URL/);
  });
});

describe('secretsOf', () => {
  it('lists the SASL password and the passwords inside the URLs', () => {
    const env = parse({
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'etl',
      KAFKA_SASL_PASSWORD: 'sasl-pw',
      MONGO_URL: 'mongodb://etl:m%40ngo-pw@db:27017/',
      SCHEMA_REGISTRY_URL: 'https://reg:reg-pw@registry.example/apis/ccompat/v7',
    });
    expect(secretsOf(env)).toEqual(['sasl-pw', 'm%40ngo-pw', 'm@ngo-pw', 'reg-pw']);
  });
});
