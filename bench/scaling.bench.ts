/**
 * npm run bench:scaling -- [--rows 30000] [--configs 6x1,6x2,6x3,3x3] [--repeat 3] [--split-records 10000] [--source flights-3m.parquet] [--shared-db]
 *
 * Throughput against instances per stage and partitions per data topic, with the stage apps as
 * separate processes (as on Kubernetes, one process per pod) on the real services. For each
 * configuration PxN (P partitions per data topic, N instances of each stage): a namespace and database of its own, its data topics created with that
 * many partitions (KAFKA_TOPIC_PARTITIONS_DATA), N instances of each stage joined, one flights run of
 * --rows records triggered and followed to completed; trigger → completed seconds, records/s, each
 * instance's share (its own /metrics), and per stage the CPU seconds and the largest peak RSS of
 * one instance (/proc: utime+stime, VmHWM). Beside it, the raw limit measured in the same run: the
 * first configuration's target documents inserted again with insertMany alone (the database is the
 * known ceiling, bench/README.md). The configurations run interleaved --repeat times (A B C D A B C D …)
 * and each is reported as its median with the min-max: on a shared host the load of the moment moves
 * one run by several times. Then the api and the scheduler, idle but for a follower reading
 * one run every second, for their footprint (the Kubernetes requests, docs/SCALING.md).
 * The database is a private FerretDB on a free port (FerretDB's SQLite file takes one writer at a
 * time: other users of the shared one would queue the loads); --shared-db uses MONGO_URL instead.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { StageName } from '@brokered-etl/contracts';
import { createSilentLogger } from '@brokered-etl/observability';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { connectRunControl } from '@brokered-etl/run-control';
import { connectMongo } from '@brokered-etl/staging';
import { appEnvFor, startApp, waitFor, workerEnvFor, type AppProcess } from '@brokered-etl/testing';
import { createPrivateMongo } from '../tools/faults/private-services';
import { descendantsOf, killTree } from '../tools/faults/process-tree';
import { benchEnv, runBench, table, timed } from './bench.env';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '30000' },
    repeat: { type: 'string', default: '3' },
    configs: { type: 'string', default: '6x1,6x2,6x3,3x3' },
    'split-records': { type: 'string', default: '10000' },
    source: { type: 'string', default: 'flights-3m.parquet' },
    'shared-db': { type: 'boolean', default: false },
  },
});
const rows = Number(args.rows);
/** "6x1,3x3" → [[6, 1], [3, 3]]: partitions per data topic × instances per stage. */
function configsOf(s: string): Array<[number, number]> {
  return s.split(',').map((c) => {
    const m = /^(\d+)x(\d+)$/.exec(c.trim());
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`--configs takes <partitions>x<instances>[,…], got "${c}"`);
    return [Number(m[1]), Number(m[2])];
  });
}
const STAGES: StageName[] = ['extractor', 'transformer', 'loader'];
let env = benchEnv();
const logger = createSilentLogger();
const rate = (n: number, ms: number) => Math.round((n * 1000) / ms).toLocaleString('en-US');
const mib = (kib: number) => `${Math.round(kib / 1024)}`;

interface Instance {
  name: string;
  app: AppProcess;
  opsUrl: string;
}

// an interrupted bench must not leave workers or its private database running on the host
const live = new Set<AppProcess>();
let privateDb: Awaited<ReturnType<typeof createPrivateMongo>> | undefined;
process.once('exit', () => live.forEach((app) => app.child.pid !== undefined && killTree(app.child.pid)));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    live.forEach((app) => app.child.pid !== undefined && killTree(app.child.pid));
    void (privateDb?.destroy() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

/**
 * The app's own node process: startApp runs the tsx CLI, which runs the app in a child node process
 * (its command line names the app's main.ts after tsx's --require preflight); tsx's esbuild service
 * is a descendant too, and is not it.
 */
function workerPid(app: AppProcess, name: string): number {
  const pids = app.child.pid === undefined ? [] : descendantsOf(app.child.pid);
  const pid = pids.find((p) => {
    try {
      const cmdline = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      return cmdline.includes('preflight') && cmdline.includes(`apps/${name}/src/main.ts`);
    } catch {
      return false;
    }
  });
  if (pid === undefined) throw new Error(`no ${name} app process under pid ${app.child.pid}`);
  return pid;
}

/** Peak RSS (KiB, VmHWM: the kernel's high-water mark) and CPU seconds so far of one process. */
function footprint(pid: number): { peakKib: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const peakKib = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are the 14th and 15th fields of stat, in clock ticks (100 a second on Linux)
  return { peakKib, cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100 };
}

async function start(name: string, extra: Record<string, string>): Promise<Instance> {
  const app = startApp(name, { OPS_PORT: '0', LOG_LEVEL: 'info', ...extra });
  live.add(app);
  app.child.once('exit', () => live.delete(app));
  const line = await app.waitForLine((l) => l.includes('ops server listening'), 180_000);
  return { name, app, opsUrl: (JSON.parse(line) as { url: string }).url };
}

async function recordsOut(opsUrl: string): Promise<number> {
  const text = await (await fetch(`${opsUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('etl_records_out_total{'))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

interface Measured {
  ms: number;
  shares: string[];
  stageRows: Array<Array<string | number>>;
  database: string;
}

async function measure(partitions: number, instances: number): Promise<Measured> {
  const tag = `benchscale${partitions}x${instances}${Date.now().toString(36)}`;
  const appEnv = { ...appEnvFor(env, tag, tag), KAFKA_TOPIC_PARTITIONS_DATA: String(partitions), EXTRACT_SPLIT_RECORDS: args['split-records']! };
  const control = await connectRunControl(workerEnvFor(env, tag, tag), logger, PIPELINES.map((p) => p.name));
  const apps: Instance[] = [];
  try {
    // the first instance of each stage creates the topics; the others then join without a creation race
    for (const stage of STAGES) apps.push(await start(stage, { ...appEnv, KAFKA_CLIENT_ID: `${stage}-1` }));
    const more = STAGES.flatMap((stage) => Array.from({ length: instances - 1 }, (_, i) => start(stage, { ...appEnv, KAFKA_CLIENT_ID: `${stage}-${i + 2}` })));
    apps.push(...(await Promise.all(more)));
    await Promise.all(apps.map((a) => a.app.waitForLine((l) => l.includes('joined group'), 180_000)));

    const run = await timed(async () => {
      const { runId } = await control.control.trigger({ pipeline: 'flights', params: { source: args.source!, limit: String(rows) }, requestedBy: 'bench:scaling' });
      return waitFor('run completed', async () => {
        const r = await control.control.describeRun(runId);
        if (r?.status === 'failed') throw new Error(`run failed: ${r.failure?.message}`);
        return r?.status === 'completed' ? r : undefined;
      }, 30 * 60_000);
    });
    if (run.value.counts?.loaded !== rows) throw new Error(`loaded ${run.value.counts?.loaded}, expected ${rows}`);

    const stageRows: Array<Array<string | number>> = [];
    const shares: string[] = [];
    for (const stage of STAGES) {
      const mine = apps.filter((a) => a.name === stage);
      const outs = await Promise.all(mine.map((a) => recordsOut(a.opsUrl)));
      const total = outs.reduce((s, n) => s + n, 0);
      shares.push(outs.map((n) => `${Math.round((100 * n) / (total || 1))}`).join('/'));
      const prints = mine.map((a) => footprint(workerPid(a.app, a.name)));
      const cpu = prints.reduce((s, p) => s + p.cpuSeconds, 0);
      stageRows.push([`${partitions} × ${instances}`, stage, cpu.toFixed(1), `${Math.round((100 * cpu * 1000) / run.ms)} %`, mib(Math.max(...prints.map((p) => p.peakKib)))]);
    }
    console.log(`  ${partitions} partitions × ${instances} instance(s): ${(run.ms / 1000).toFixed(1)} s, ${rate(rows, run.ms)} records/s (shares % E ${shares[0]}, T ${shares[1]}, L ${shares[2]})`);
    return { ms: run.ms, shares, stageRows, database: tag };
  } finally {
    await Promise.all(apps.map((a) => a.app.stop('SIGTERM', 40_000).catch(() => undefined)));
    await control.close();
  }
}

/** The raw limit: the same target documents, read back from the first configuration's target, inserted again alone. */
async function rawInsert(database: string): Promise<Array<string | number>> {
  const mongo = await connectMongo({ url: env.mongoUrl, database });
  try {
    const docs = await mongo.db.collection('flights').find({}).toArray();
    const scratch = mongo.db.collection('flights_raw');
    const insert = await timed(async () => {
      for (let i = 0; i < docs.length; i += 5000) await scratch.insertMany(docs.slice(i, i + 5000), { ordered: false });
    });
    return ['raw', 'insertMany', (insert.ms / 1000).toFixed(1), rate(docs.length, insert.ms), '-', '-', '-', '-'];
  } finally {
    await mongo.close();
  }
}

async function dropDatabase(database: string): Promise<void> {
  const mongo = await connectMongo({ url: env.mongoUrl, database });
  await mongo.db.dropDatabase().catch(() => undefined);
  await mongo.close();
}

/** The api and the scheduler, started, one run followed through the api every second for 30 s. */
async function serviceFootprint(database: string): Promise<Array<Array<string | number>>> {
  const base = appEnvFor(env, database, database);
  const api = await start('api', { ...base, API_AUTH: 'none', API_HOST: '127.0.0.1', API_PORT: '0' });
  const schedules = JSON.stringify({ schedules: [{ name: 'nightly', pipeline: 'flights', cron: '0 2 * * *', params: { source: 'flights-2k.json' } }] });
  const scheduler = await start('scheduler', { ...base, ETL_SCHEDULES: schedules });
  try {
    const line = await api.app.waitForLine((l) => l.includes('api listening'), 120_000);
    const url = (JSON.parse(line) as { url: string }).url;
    const calls = await timed(async () => {
      for (let i = 0; i < 30; i++) {
        await (await fetch(`${url}runs?limit=20`)).text();
        await new Promise((r) => setTimeout(r, 1000));
      }
    });
    return [api, scheduler].map((s) => {
      const f = footprint(workerPid(s.app, s.name));
      return [s.name, f.cpuSeconds.toFixed(1), `${Math.round((100 * f.cpuSeconds * 1000) / calls.ms)} %`, mib(f.peakKib)];
    });
  } finally {
    await Promise.all([api, scheduler].map((s) => s.app.stop('SIGTERM', 30_000).catch(() => undefined)));
  }
}

async function main() {
  const configs = configsOf(args.configs!);
  privateDb = args['shared-db'] ? undefined : await createPrivateMongo();
  if (privateDb) {
    await privateDb.start();
    env = { ...env, mongoUrl: privateDb.endpoint };
  }
  console.log(`${rows.toLocaleString('en-US')} rows of ${args.source}, splits of ${args['split-records']}, database ${env.mongoUrl}; configurations (partitions × instances per stage): ${configs.map(([p, n]) => `${p}×${n}`).join(', ')}`);
  const rowsOut: Array<Array<string | number>> = [];
  const stageRows: Array<Array<string | number>> = [];
  const databases: string[] = [];
  let raw: Array<string | number> | undefined;
  let services: Array<Array<string | number>> = [];
  try {
    const repeat = Math.max(1, Number(args.repeat));
    const runs = new Map<string, Measured[]>();
    for (let round = 1; round <= repeat; round++) {
      for (const [partitions, instances] of configs) {
        const m = await measure(partitions, instances);
        databases.push(m.database);
        runs.set(`${partitions}x${instances}`, [...(runs.get(`${partitions}x${instances}`) ?? []), m]);
        if (!raw) raw = await rawInsert(m.database);
        // a configuration's database is not needed after its run (the first one's gave the raw limit)
        await dropDatabase(m.database);
      }
    }
    for (const [partitions, instances] of configs) {
      const all = runs.get(`${partitions}x${instances}`)!;
      const ms = all.map((m) => m.ms).sort((a, b) => a - b);
      const median = all.find((m) => m.ms === ms[Math.floor(ms.length / 2)])!;
      rowsOut.push([partitions, instances, (median.ms / 1000).toFixed(1), rate(rows, median.ms), `${rate(rows, ms[ms.length - 1]!)}-${rate(rows, ms[0]!)}`, ...median.shares]);
      stageRows.push(...median.stageRows);
    }
    services = await serviceFootprint(databases[0]!);
  } finally {
    await Promise.all(databases.map(dropDatabase));
    await privateDb?.destroy();
  }
  console.log(table(`Throughput, ${rows.toLocaleString('en-US')} records, trigger → completed (one process per instance)`, ['partitions', 'instances per stage', 'seconds (median)', 'records/s (median)', 'records/s (min-max)', 'share % E', 'share % T', 'share % L'], [...rowsOut, ...(raw ? [raw] : [])]));
  console.log(table('Per stage, in the median run: CPU seconds (all instances), CPU share of the run, largest peak RSS of one instance (MiB)', ['config', 'stage', 'CPU s', 'CPU / wall', 'peak RSS MiB'], stageRows));
  console.log(table('api and scheduler: 30 s, one GET /runs a second', ['app', 'CPU s', 'CPU / wall', 'peak RSS MiB'], services));
}

runBench(main);
