import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import { appEnvFor, databaseFor, integrationEnv, REPO_ROOT, uniqueName } from '@brokered-etl/testing';
import { changedFiles, copyWorkspace, type WorkspaceCopy } from './workspace-copy';

/**
 * The generator as a user runs it, in a throwaway copy of this workspace:
 * `npx nx g` writes a pipeline, the generated lib typechecks, lints under the
 * module-boundary rule and passes its own spec, and the stage apps of the
 * copy (whose catalog now lists it) complete a run of its sample input
 * against the real Kafka, registry and MongoDB, under a namespace of its own.
 */
const run = promisify(execFile);
const NAME = 'gen-readings';
const LIB = `libs/pipelines/${NAME}`;
const STAGES = ['extractor', 'transformer', 'loader'] as const;
// about 40 s in all on an idle 2-core machine; several times that when other test runs share the cores
const LOADED_MACHINE_MS = 240_000;

describe('nx g @brokered-etl/workspace-plugin:pipeline, for real', () => {
  const services = integrationEnv();
  const namespace = uniqueName('it-generator');
  const database = databaseFor(namespace);
  const timings: Array<[step: string, ms: number]> = [];
  const workers: ChildProcess[] = [];
  let copy: WorkspaceCopy;
  let before: Map<string, string>;

  /** A command in the copy, as a user's shell would run it there; its output is in the error when it fails. */
  async function inCopy(step: string, command: string, args: string[], env: Record<string, string> = {}): Promise<string> {
    const started = Date.now();
    try {
      const { stdout, stderr } = await run(command, args, { cwd: copy.root, env: { ...childEnv(), ...env }, maxBuffer: 16 * 1024 * 1024 });
      return stdout + stderr;
    } catch (err) {
      const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
      throw new Error(`${step} failed: ${command} ${args.join(' ')}\n${stdout}\n${stderr}`);
    } finally {
      timings.push([step, Date.now() - started]);
    }
  }
  const node = (step: string, script: string, args: string[], env?: Record<string, string>) => inCopy(step, process.execPath, [join('node_modules', script), ...args], env);
  const runEnv = () => ({ ...appEnvFor(services, namespace, database), ETL_SOURCE_ROOTS: join(copy.root, 'data'), LOG_FORMAT: 'json', LOG_LEVEL: 'info' });

  beforeAll(async () => {
    copy = copyWorkspace(REPO_ROOT);
    before = copy.snapshot();
    await inCopy('nx g (parquet)', 'npx', ['nx', 'g', '@brokered-etl/workspace-plugin:pipeline', NAME, '--source', 'parquet', '--no-interactive']);
  }, LOADED_MACHINE_MS);

  afterAll(async () => {
    await Promise.all(workers.map((child) => stop(child)));
    const mongo = new MongoClient(services.mongoUrl);
    await mongo.db(database).dropDatabase().catch(() => undefined);
    await mongo.close();
    copy?.remove();
    console.log(`generator to completed run, step by step (2 shared cores: compare ratios, not absolutes)\n${timings.map(([step, ms]) => `  ${step.padEnd(44)} ${(ms / 1000).toFixed(1).padStart(6)} s`).join('\n')}`);
  });

  it('changes nothing outside the new lib but the path alias, the catalog and the sample in data/', () => {
    const changed = changedFiles(before, copy.snapshot());
    expect(changed.filter((path) => !path.startsWith(`${LIB}/`))).toEqual([`data/${NAME}.sample.parquet`, 'libs/pipelines/catalog/src/catalog.ts', 'tsconfig.base.json']);
    expect(changed.filter((path) => path.startsWith(`${LIB}/`))).toHaveLength(7);
  });

  it('the generated lib typechecks, passes its own spec, and lints clean under the module-boundary rule that binds it', async () => {
    writeFileSync(join(copy.root, 'tsconfig.generated.json'), JSON.stringify({ extends: './tsconfig.json', include: [`${LIB}/**/*.ts`, 'libs/pipelines/catalog/**/*.ts'] }));
    await node('tsc (the lib and the catalog)', 'typescript/bin/tsc', ['-p', 'tsconfig.generated.json']);
    await node("jest (the lib's own spec)", 'jest/bin/jest.js', ['-c', `${LIB}/jest.config.ts`, '--ci']);

    // the boundary rule reads Nx's cached project graph (and is skipped without one): have Nx see the new project first, as `nx lint` would
    const project = JSON.parse(await inCopy('nx show project (graph with the new lib)', 'npx', ['nx', 'show', 'project', `pipeline-${NAME}`, '--json']));
    expect(project.tags).toEqual(['type:pipeline', `scope:${NAME}`]);

    // a pipeline may not reach MongoDB: the same lint run must refuse this file, or the rule is not binding the lib
    const probe = join(copy.root, LIB, 'src', 'boundary-probe.ts');
    writeFileSync(probe, "import { connectMongo } from '@brokered-etl/staging';\n\nexport const probe = connectMongo;\n");
    const report = await node('eslint (the lib, the catalog, a probe)', 'eslint/bin/eslint.js', ['--format', 'json', '--no-warn-ignored', LIB, 'libs/pipelines/catalog']).catch((err: Error) => err.message);
    rmSync(probe);
    const results = JSON.parse(report.slice(report.indexOf('['), report.lastIndexOf(']') + 1)) as Array<{ filePath: string; messages: Array<{ ruleId: string; severity: number; message: string }> }>;
    const problems = results.flatMap((r) => r.messages.map((m) => ({ file: r.filePath.slice(copy.root.length + 1), rule: m.ruleId, severity: m.severity })));
    expect(results.map((r) => r.filePath.slice(copy.root.length + 1))).toEqual(expect.arrayContaining([`${LIB}/src/${NAME}.pipeline.ts`, `${LIB}/src/${NAME}.pipeline.spec.ts`, 'libs/pipelines/catalog/src/catalog.ts']));
    expect(problems).toEqual([{ file: `${LIB}/src/boundary-probe.ts`, rule: '@nx/enforce-module-boundaries', severity: 2 }]);
  }, LOADED_MACHINE_MS);

  it('completes a run of its sample through the stage apps on the real services: five readings loaded by key, one rejected with its reason', async () => {
    const started = Date.now();
    await Promise.all(
      STAGES.map((stage) => {
        const child = startStage(copy.root, stage, runEnv());
        workers.push(child);
        return waitForLine(child, stage, 'sources confined to', 90_000);
      }),
    );
    timings.push(['stage apps started (tsx, in parallel)', Date.now() - started]);

    const output = await node(`etl trigger ${NAME} --wait`, 'tsx/dist/cli.mjs', ['apps/cli/src/main.ts', 'trigger', NAME, '--wait', '--timeout', '60'], runEnv());
    expect(output).toMatch(/status\s+completed/);
    expect(output).toMatch(/records\s+extracted 6 {2}transformed 5 {2}rejected 1 {2}loaded 5/);
    expect(output).toContain('amount "n/a" is not a number');

    const mongo = new MongoClient(services.mongoUrl);
    try {
      const loaded = await mongo.db(database).collection<{ _id: string }>(NAME).find({}, { projection: { _lineage: 0 } }).sort({ _id: 1 }).toArray();
      expect(loaded.map((doc) => doc._id)).toEqual(['r-001', 'r-002', 'r-003', 'r-005', 'r-006']);
      expect(loaded[4]).toEqual({ _id: 'r-006', readingId: 'r-006', station: 'Lakeside, East', amount: 0.5, day: '2026-01-07' });
    } finally {
      await mongo.close();
    }
    const total = timings.filter(([step]) => !/^(tsc|jest|eslint)/.test(step)).reduce((sum, [, ms]) => sum + ms, 0);
    timings.push(['nx g + stage apps + run (a user\u2019s path)', total]);
  }, LOADED_MACHINE_MS);
});

/** The environment of a command run by hand: none of this test process's own jest or npm variables. */
function childEnv(): Record<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(JEST_|npm_|INIT_CWD$|NODE_ENV$)/.test(key))) as Record<string, string>;
  return { ...env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_INTERACTIVE: 'false', FORCE_COLOR: '0' };
}

/** A stage app of the copy, from source with tsx, as `nx serve` runs its build. */
function startStage(root: string, stage: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join('apps', stage, 'src', 'main.ts')], {
    cwd: root,
    env: { ...childEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function waitForLine(child: ChildProcess, name: string, text: string, timeoutMs: number): Promise<void> {
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${name}: no "${text}" within ${timeoutMs} ms; last lines:\n${lines.slice(-15).join('\n')}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (lines.some((line) => line.includes(text))) done();
    };
    const onExit = (code: number | null) => done(new Error(`${name} exited (code ${code}) before "${text}"; last lines:\n${lines.slice(-15).join('\n')}`));
    const done = (err?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
