import { Command, CommanderError } from 'commander';
import { ConfigError } from '@brokered-etl/config';
import { isEtlError } from '@brokered-etl/errors';
import { redactSecrets } from '@brokered-etl/observability';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { EXIT, print, printJson as json, withControl } from './cli-context';
import { dlqCommand } from './dlq.command';
import { pipelinesCommand } from './pipelines.command';
import { pruneCommand } from './prune.command';
import { replayCommand } from './replay.command';
import { rerunCommand } from './rerun.command';
import { progressLine, runDetail, runLine } from './run-format';

function parseParams(pairs: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CommanderError(EXIT.usage, 'etl.param', `--param expects key=value, got "${pair}"`);
    params[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return params;
}

const pipelineHelp = PIPELINES.map((p) => `  ${p.name.padEnd(9)} ${p.description}\n${Object.entries(p.params).map(([k, v]) => `      --param ${k}=…  ${v.description}${v.default ? ` (default ${v.default})` : ''}`).join('\n')}`).join('\n');

function buildProgram(): Command {
  const program = new Command('etl')
    .description('brokered-etl: trigger and follow runs of extract → transform → load over Kafka')
    .showHelpAfterError()
    .addHelpText('after', `\nEndpoints come from KAFKA_BROKERS, SCHEMA_REGISTRY_URL, MONGO_URL, MONGO_DB and ETL_NAMESPACE (defaults: the local infrastructure); Kafka credentials and TLS from KAFKA_SASL_* and KAFKA_TLS* (see the README).`);

  program
    .command('trigger')
    .description('start a run now: sends RunRequested to the trigger topic and prints the run id')
    .argument('<pipeline>', `pipeline to run: ${PIPELINES.map((p) => p.name).join(', ')}`)
    .option('-p, --param <key=value...>', 'a pipeline parameter (repeatable)', [])
    .option('--run-id <id>', 'choose the run id (sending the same id twice starts one run)')
    .option('-w, --wait', 'wait until the run completes (exit 0) or fails (exit 1), showing progress')
    .option('--timeout <seconds>', 'with --wait: give up after this many seconds', '1800')
    .option('--json', 'print JSON')
    .addHelpText('after', `\nPipelines:\n${pipelineHelp}\n\nExample:\n  etl trigger flights --param source=flights-3m.parquet --wait`)
    .action(async (pipeline: string, opts: { param: string[]; runId?: string; wait?: boolean; timeout: string; json?: boolean }) => {
      const params = parseParams(opts.param);
      process.exitCode = await withControl(async (control) => {
        const request = await control.trigger({ pipeline, params, runId: opts.runId, requestedBy: 'cli' });
        if (!opts.wait) {
          if (opts.json) json({ runId: request.runId, pipeline, params });
          else print(request.runId);
          return EXIT.ok;
        }
        if (!opts.json) process.stderr.write(`run ${request.runId} requested\n`);
        const tty = process.stderr.isTTY;
        const run = await control.waitForRun(request.runId, {
          timeoutMs: Number(opts.timeout) * 1000,
          onProgress: (r) => (opts.json ? undefined : process.stderr.write(tty ? `\r${progressLine(r)}\x1b[K` : '')),
        });
        if (tty && !opts.json) process.stderr.write('\n');
        if (opts.json) json(run);
        else print(runDetail(run, await control.listRejections(run.runId)));
        return run.status === 'completed' ? EXIT.ok : EXIT.failed;
      });
    });

  const runs = program.command('runs').description('list and inspect runs');
  runs
    .command('list')
    .description('recent runs, newest first')
    .option('--limit <n>', 'how many', '20')
    .option('--pipeline <name>', 'only this pipeline')
    .option('--json', 'print JSON')
    .action(async (opts: { limit: string; pipeline?: string; json?: boolean }) => {
      await withControl(async (control) => {
        const list = await control.describeRuns({ limit: Number(opts.limit), pipeline: opts.pipeline });
        if (opts.json) json(list);
        else if (list.length === 0) print('no runs yet: start one with `etl trigger flights`');
        else list.forEach((run) => print(runLine(run)));
      }, { producer: false });
    });
  runs
    .command('show')
    .description('one run: status, per-stage counts, timings, rejected records')
    .argument('<runId>')
    .option('--json', 'print JSON')
    .action(async (runId: string, opts: { json?: boolean }) => {
      process.exitCode = await withControl(async (control) => {
        const run = await control.describeRun(runId);
        if (!run) {
          process.stderr.write(`no run "${runId}" (see etl runs list)\n`);
          return EXIT.notFound;
        }
        const rejections = await control.listRejections(runId);
        if (opts.json) json({ ...run, rejections });
        else print(runDetail(run, rejections));
        return EXIT.ok;
      }, { producer: false });
    });

  runs.addCommand(pruneCommand());

  program.addCommand(pipelinesCommand());
  program.addCommand(replayCommand());
  program.addCommand(rerunCommand());
  program.addCommand(dlqCommand());
  return program.exitOverride();
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
      if (err.code === 'etl.param') process.stderr.write(`error: ${err.message}\n`);
      return;
    }
    process.exitCode = EXIT.failed;
    if (err instanceof ConfigError) process.stderr.write(`etl: ${err.message}\n`);
    else if (isEtlError(err)) {
      process.stderr.write(`etl: ${err.code}: ${redactSecrets(err.message)}\n`);
      if (err.code === 'BAD_PARAMS') process.exitCode = EXIT.usage;
      if (err.code === 'NOT_FOUND') process.exitCode = EXIT.notFound;
    }
    else process.stderr.write(`etl: ${redactSecrets((err as Error).stack ?? String(err))}\n`);
  }
}

void main(process.argv);
