import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './config.error';

/** A path whose file is read while the env is parsed (at the app edge); the parsed value is the file's content. */
const fileContent = (what: string) =>
  z
    .string()
    .optional()
    .transform((path, ctx) => {
      if (!path) return undefined;
      try {
        return readFileSync(path, 'utf8');
      } catch (err) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
        return z.NEVER;
      }
    });

const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((s) => (s === undefined || s === '' ? undefined : s === 'true' || s === '1'));

/** How every app reaches Kafka: SASL credentials and TLS (unset: plaintext, no authentication). */
export const kafkaSecurityEnvFields = {
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  /** Read at start-up; one trailing newline is dropped. */
  KAFKA_SASL_PASSWORD_FILE: fileContent('the SASL password file'),
  /** Unset: on when a CA, certificate or key file is given. */
  KAFKA_TLS: flag,
  KAFKA_TLS_CA_FILE: fileContent('the CA file'),
  KAFKA_TLS_CERT_FILE: fileContent('the client certificate file'),
  KAFKA_TLS_KEY_FILE: fileContent('the client key file'),
};

type KafkaSecurityEnv = { [K in keyof typeof kafkaSecurityEnvFields]?: z.output<(typeof kafkaSecurityEnvFields)[K]> };

/** What the messaging lib takes (structurally its KafkaSecurity). */
export interface KafkaSecurityConfig {
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  tls?: boolean | { ca?: string; cert?: string; key?: string };
}

/** The parsed variables as one option, with the checks across them; each problem names its variable. */
export function kafkaSecurityOf(env: KafkaSecurityEnv): KafkaSecurityConfig {
  const problems: string[] = [];
  const password = env.KAFKA_SASL_PASSWORD ?? env.KAFKA_SASL_PASSWORD_FILE?.replace(/\r?\n$/, '');
  let sasl: KafkaSecurityConfig['sasl'];
  if (env.KAFKA_SASL_MECHANISM) {
    if (!env.KAFKA_SASL_USERNAME) problems.push('KAFKA_SASL_USERNAME: required when KAFKA_SASL_MECHANISM is set');
    if (env.KAFKA_SASL_PASSWORD !== undefined && env.KAFKA_SASL_PASSWORD_FILE !== undefined) problems.push('KAFKA_SASL_PASSWORD_FILE: set either it or KAFKA_SASL_PASSWORD, not both');
    else if (!password) problems.push('KAFKA_SASL_PASSWORD: required (or KAFKA_SASL_PASSWORD_FILE) when KAFKA_SASL_MECHANISM is set');
    if (env.KAFKA_SASL_USERNAME && password) sasl = { mechanism: env.KAFKA_SASL_MECHANISM, username: env.KAFKA_SASL_USERNAME, password };
  } else if (env.KAFKA_SASL_USERNAME || password) {
    problems.push('KAFKA_SASL_MECHANISM: required when a SASL username or password is set (plain, scram-sha-256 or scram-sha-512)');
  }
  const files = { ca: env.KAFKA_TLS_CA_FILE, cert: env.KAFKA_TLS_CERT_FILE, key: env.KAFKA_TLS_KEY_FILE };
  const anyFile = Object.values(files).some((f) => f !== undefined);
  if (env.KAFKA_TLS === false && anyFile) problems.push('KAFKA_TLS: is false but a KAFKA_TLS_*_FILE is set');
  if ((files.cert === undefined) !== (files.key === undefined)) problems.push('KAFKA_TLS_CERT_FILE: a client certificate and KAFKA_TLS_KEY_FILE go together');
  if (problems.length) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  const tlsOn = env.KAFKA_TLS ?? anyFile;
  return { sasl, tls: !tlsOn ? undefined : anyFile ? files : true };
}

/** The secrets in a parsed env (SASL password, URL passwords), for the log redaction to mask wherever they appear. */
export function secretsOf(env: KafkaSecurityEnv & { MONGO_URL?: string; SCHEMA_REGISTRY_URL?: string; API_TOKEN?: string }): string[] {
  // as written in the URL and as decoded (a driver may echo either)
  const urlPassword = (url: string | undefined): string[] => {
    const raw = url ? /^[a-z][a-z0-9+.-]*:\/\/[^/@:]*:([^/@]*)@/i.exec(url)?.[1] : undefined;
    if (!raw) return [];
    try {
      const decoded = decodeURIComponent(raw);
      return decoded === raw ? [raw] : [raw, decoded];
    } catch {
      return [raw];
    }
  };
  const password = env.KAFKA_SASL_PASSWORD ?? env.KAFKA_SASL_PASSWORD_FILE?.replace(/\r?\n$/, '');
  return [password, ...urlPassword(env.MONGO_URL), ...urlPassword(env.SCHEMA_REGISTRY_URL), env.API_TOKEN, env.KAFKA_TLS_KEY_FILE].filter((s): s is string => !!s);
}
