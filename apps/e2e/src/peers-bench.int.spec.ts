import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { integrationEnv, REPO_ROOT } from '@brokered-etl/testing';

/**
 * The smoke of `npm run bench:peers` (bench/peers.bench.ts) CI runs: 500
 * records, one round, no warm-up, the replace strategy boxed to 3 s, on the services the
 * tests use. It provisions and starts a real Kafka Connect with MongoDB's sink,
 * and must print every contender with a rate and the three target ratios.
 */
const CONTENDERS = [
  'raw: insertMany of the same documents (5,000 a call',
  'raw: insertMany of the same documents (500 a call',
  'ours: loader stage alone',
  'ours: whole run',
  'InsertOneDefaultStrategy, tasks.max=1',
  'InsertOneDefaultStrategy, tasks.max=2',
  'ReplaceOneDefaultStrategy, tasks.max=1',
  'ReplaceOneDefaultStrategy, tasks.max=2',
];

function runBench(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs'), join(REPO_ROOT, 'bench/peers.bench.ts'), '--smoke'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    // SIGINT: the bench's own cleanup stops its Kafka Connect and workers
    const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The rows of the markdown table that follows the line starting with `title`. */
function tableAfter(output: string, title: string): string[][] {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => line.startsWith(title));
  if (start < 0) return [];
  const rows: string[][] = [];
  for (const line of lines.slice(start + 3)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split('|').slice(1, -1).map((cell) => cell.trim()));
  }
  return rows;
}

describe('bench:peers smoke', () => {
  it('prints every contender with a rate, their CPU and memory, and the target ratios', async () => {
    const services = integrationEnv();
    const { code, stdout, stderr } = await runBench(
      { ...process.env, KAFKA_BROKERS: services.kafkaBrokers.join(','), SCHEMA_REGISTRY_URL: services.schemaRegistryUrl, MONGO_URL: services.mongoUrl },
      240_000,
    );
    process.stderr.write(`[bench:peers --smoke]\n${stdout}\n`);
    expect({ code, stderr: code === 0 ? '' : stderr.slice(-3000) }).toEqual({ code: 0, stderr: '' });

    const throughput = tableAfter(stdout, '500 enriched flights');
    for (const name of CONTENDERS) {
      const [, rate = '', , , records = ''] = throughput.find((cells) => (cells[0] ?? '').includes(name)) ?? [];
      expect({ name, rate: Number(rate.replace(/,/g, '')) > 0 }).toEqual({ name, rate: true });
      // the time-boxed replace sink may stop short of the 500
      if (!name.startsWith('Replace')) expect({ name, records }).toEqual({ name, records: '500' });
    }
    expect(tableAfter(stdout, 'CPU seconds per trial')).toHaveLength(CONTENDERS.length);
    expect(tableAfter(stdout, 'Peak RSS')).toHaveLength(CONTENDERS.length);
    const targets = tableAfter(stdout, 'Targets');
    expect(targets.map(([ratio = '']) => ratio.replace(/ \(.*/, ''))).toEqual(['load stage / best sink', 'load stage / raw insertMany', 'whole run / raw insertMany']);
    expect(targets.every((cells) => Number(cells[1]) > 0)).toBe(true);
  }, 300_000);
});
