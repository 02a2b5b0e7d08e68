import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafkaClient, describeGroup } from '@brokered-etl/messaging';
import { createSilentLogger } from '@brokered-etl/observability';
import { appEnvFor, integrationEnv, parseLogLine, startApp, startPrivateKafka, uniqueName, waitFor, type AppProcess, type PrivateKafka } from '@brokered-etl/testing';

/**
 * A private broker whose only client listener is SASL_PLAINTEXT with
 * SCRAM-SHA-256 (user created at format time), and the real stage app against
 * it: right password joins, wrong password stops at once with a clear error,
 * and no secret from any config path reaches a log line or stderr.
 */
const USER = 'etl';
const PASSWORD = `scram-${randomBytes(9).toString('hex')}`;
const WRONG = `wrong-${randomBytes(9).toString('hex')}`;
const MONGO_PW = `mongo-${randomBytes(9).toString('hex')}`;
const REGISTRY_PW = `registry-${randomBytes(9).toString('hex')}`;
const API_TOKEN = `token-${randomBytes(12).toString('hex')}`;
const SECRETS = [PASSWORD, WRONG, MONGO_PW, REGISTRY_PW, API_TOKEN];

let kafka: PrivateKafka;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'it-sasl-'));
  kafka = await startPrivateKafka(process.env, { scram: { username: USER, password: PASSWORD } });
}, 120_000);

afterAll(async () => {
  await kafka?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function saslEnv(password: string, namespace: string): Record<string, string> {
  return {
    ...appEnvFor(integrationEnv(), namespace),
    KAFKA_BROKERS: kafka.brokers.join(','),
    KAFKA_SASL_MECHANISM: 'scram-sha-256',
    KAFKA_SASL_USERNAME: USER,
    KAFKA_SASL_PASSWORD: password,
    OPS_PORT: '0',
    LOG_LEVEL: 'debug',
  };
}

async function exitOf(app: AppProcess, timeoutMs: number): Promise<number | null> {
  if (app.child.exitCode !== null) return app.child.exitCode;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms; last lines:\n${app.lines.slice(-10).join('\n')}`)), timeoutMs);
    app.child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

function expectNoSecrets(lines: string[]): void {
  const leaks = lines.filter((line) => SECRETS.some((secret) => line.includes(secret)));
  expect(leaks).toEqual([]);
}

describe('Kafka with SASL/SCRAM-SHA-256', () => {
  it('a stage app with the right password (from a file) joins its group, logging the registry URL masked', async () => {
    const namespace = uniqueName('it-sasl');
    const passwordFile = join(dir, 'kafka-password');
    writeFileSync(passwordFile, `${PASSWORD}\n`);
    const env = saslEnv(PASSWORD, namespace);
    delete env['KAFKA_SASL_PASSWORD'];
    // userinfo in the registry URL goes as Basic auth (the local registry ignores it) and is logged masked
    const registry = integrationEnv().schemaRegistryUrl.replace('://', `://etl:${REGISTRY_PW}@`);
    const app = startApp('extractor', { ...env, KAFKA_SASL_PASSWORD_FILE: passwordFile, SCHEMA_REGISTRY_URL: registry });
    try {
      await app.waitForLine((line) => parseLogLine(line)?.['message'] === 'joined group', 90_000);
      const registered = app.lines.map(parseLogLine).find((l) => l?.['message'] === 'schemas registered');
      expect(registered?.['registry']).toBe(registry.replace(REGISTRY_PW, '***'));
      const admin = createKafkaClient({
        brokers: kafka.brokers,
        clientId: 'it-sasl',
        logger: createSilentLogger(),
        security: { sasl: { mechanism: 'scram-sha-256', username: USER, password: PASSWORD } },
      });
      const group = await waitFor('one member in the group', async () => {
        const g = await describeGroup(admin, `${namespace}.etl.extractor`);
        return g.members.length === 1 ? g : undefined;
      });
      expect(group.state).toBe('Stable');
      expect((await app.stop('SIGTERM')).code).toBe(0);
      expectNoSecrets(app.lines);
    } finally {
      await app.stop('SIGKILL');
    }
  }, 120_000);

  it('a stage app with a wrong password exits 1 at once, naming the user and mechanism, never the password', async () => {
    const app = startApp('extractor', saslEnv(WRONG, uniqueName('it-sasl-wrong')));
    try {
      const started = Date.now();
      expect(await exitOf(app, 60_000)).toBe(1);
      const refused = app.lines.filter((line) => line.includes('Kafka refused the SASL credentials for user etl (mechanism scram-sha-256)'));
      expect(refused.length).toBeGreaterThan(0);
      // bounded by tsx start-up, not by retries: kafkajs does not retry a refused login and neither do we
      expect(Date.now() - started).toBeLessThan(45_000);
      expectNoSecrets(app.lines);
    } finally {
      await app.stop('SIGKILL');
    }
  }, 90_000);
});

describe('no secret in any log line', () => {
  // 127.0.0.1:1 refuses at once: connection errors without waiting on a timeout
  /** An extractor whose dependency at 127.0.0.1:1 never answers: it gives up after a short budget, and no line it wrote holds a secret. */
  async function exitsWithoutSecrets(namespacePrefix: string, env: Record<string, string>, expectLine: string): Promise<void> {
    // a worker waits for an absent dependency (alive, unready) up to its retry budget, logging each wait: keep it short here
    const app = startApp('extractor', { ...saslEnv(PASSWORD, uniqueName(namespacePrefix)), ...env, RETRY_BUDGET_MS: '3000' });
    try {
      expect(await exitOf(app, 60_000)).toBe(1);
      expect(app.lines.some((line) => line.includes(expectLine))).toBe(true);
      expectNoSecrets(app.lines);
    } finally {
      await app.stop('SIGKILL');
    }
  }

  it('an unreachable MongoDB whose URL carries a password', () =>
    exitsWithoutSecrets('it-secret-mongo', { MONGO_URL: `mongodb://etl:${MONGO_PW}@127.0.0.1:1/?authSource=admin` }, 'mongodb://etl:***@127.0.0.1:1/'), 90_000);

  it('an unreachable schema registry whose URL carries userinfo', () =>
    exitsWithoutSecrets('it-secret-registry', { SCHEMA_REGISTRY_URL: `http://etl:${REGISTRY_PW}@127.0.0.1:1/apis/ccompat/v7` }, 'cannot start'), 90_000);

  it('the api with a token and a password in MONGO_URL', async () => {
    const app = startApp('api', {
      ...saslEnv(PASSWORD, uniqueName('it-secret-api')),
      MONGO_URL: `mongodb://etl:${MONGO_PW}@127.0.0.1:1/`,
      API_TOKEN,
      API_PORT: '0',
    });
    try {
      expect(await exitOf(app, 60_000)).toBe(1);
      expect(app.lines.some((line) => line.includes('mongodb://etl:***@127.0.0.1:1/'))).toBe(true);
      expectNoSecrets(app.lines);
    } finally {
      await app.stop('SIGKILL');
    }
  }, 90_000);
});
