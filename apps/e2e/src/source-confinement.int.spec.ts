import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Kafka } from 'kafkajs';
import { vegaDataDir } from '@brokered-etl/pipeline-kit';
import type { ConnectedRunControl } from '@brokered-etl/run-control';
import { appEnvFor, databaseFor, integrationEnv, REPO_ROOT, uniqueName } from '@brokered-etl/testing';
import { createSilentLogger } from '@brokered-etl/observability';
import { topicNames } from '@brokered-etl/contracts';
import { startApiServer } from './support/api-server';
import { connectTestRunControl } from './support/pipeline-env';

/**
 * A run names files; only files inside the source roots may be read. The API
 * and the CLI refuse anything else before a RunRequested is produced (the
 * roots here: the defaults plus the OS temp folder, as every spec's).
 */
describe('source confinement at the edges (real services)', () => {
  const env = integrationEnv();
  const namespace = uniqueName('it-confine');
  const database = databaseFor(namespace);
  const logger = createSilentLogger();
  const token = `it-${randomBytes(12).toString('hex')}`;
  const triggerTopic = topicNames(namespace).trigger;
  const dir = mkdtempSync(join(tmpdir(), 'etl-confine-'));
  const good = join(dir, 'flights-good.json');
  copyFileSync(join(vegaDataDir(), 'flights-2k.json'), good);
  const outsideLink = join(dir, 'passwd.json');
  symlinkSync('/etc/passwd', outsideLink);
  let connected: ConnectedRunControl;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    connected = await connectTestRunControl({ env, namespace, database, logger });
    ({ app, base } = await startApiServer({ control: connected.control, logger, token }));
  });
  afterAll(async () => {
    await app?.close();
    await connected?.close();
  });

  const post = async (params: Record<string, string>) => {
    const res = await fetch(`${base}/runs`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ pipeline: 'flights', params }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  /** Messages ever produced to this spec's trigger topic (0 when nothing created it). */
  async function triggerMessages(): Promise<number> {
    const admin = new Kafka({ brokers: env.kafkaBrokers, clientId: 'it-confine', logLevel: 0 }).admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(triggerTopic)) return 0;
      return (await admin.fetchTopicOffsets(triggerTopic)).reduce((sum, p) => sum + Number(p.high), 0);
    } finally {
      await admin.disconnect();
    }
  }

  it.each([
    ['an absolute path outside the roots', { source: '/etc/passwd' }, 'source', /"\/etc\/passwd" resolves to \/etc\/passwd, outside the allowed source roots/],
    ['a .. traversal', { source: '../../../../../../../../etc/passwd' }, 'source', /outside the allowed source roots/],
    ['a symlink inside a root pointing outside', { source: outsideLink }, 'source', /resolves to \/etc\/passwd, outside the allowed source roots/],
    ['an airports reference outside the roots', { source: good, airports: '/etc/passwd' }, 'airports', /param "airports"/],
    ['a limit that is not a positive whole number', { source: good, limit: '-3' }, 'limit', /at least 1/],
    ['a format the readers do not know', { source: good, format: 'xml' }, 'format', /one of json, csv, parquet/],
  ])('POST /runs with %s → 400 BAD_PARAMS naming the field; nothing produced', async (_, params, field, message) => {
    const res = await post(params);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'BAD_PARAMS', field: `body.params.${field}` });
    expect(res.body['message']).toMatch(message);
    expect(JSON.stringify(res.body)).not.toMatch(/root:x:0/); // never a byte of the file
    expect(await triggerMessages()).toBe(0);
  });

  it('etl trigger flights --param source=/etc/passwd exits 2 and produces nothing', async () => {
    const result = await new Promise<{ status: number; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(REPO_ROOT, 'apps/cli/bin/etl.js'), 'trigger', 'flights', '--param', 'source=/etc/passwd'],
        { cwd: REPO_ROOT, timeout: 60_000, env: { ...process.env, ...appEnvFor(env, namespace, database) } },
        (error, _stdout, stderr) => resolve({ status: error ? Number(error.code ?? -1) : 0, stderr }),
      );
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/BAD_PARAMS: param "source": "\/etc\/passwd" resolves to \/etc\/passwd, outside the allowed source roots/);
    expect(await triggerMessages()).toBe(0);
  });

  it('a file inside a root is accepted: one RunRequested, the only one', async () => {
    const res = await post({ source: good, limit: '10' });
    expect(res.status).toBe(202);
    expect(await triggerMessages()).toBe(1);
  });
});
