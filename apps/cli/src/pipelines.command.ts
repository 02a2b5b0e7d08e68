import { Command } from 'commander';
import type { AnyPipeline } from '@brokered-etl/pipeline-kit';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { EXIT, print, printJson as json } from './cli-context';

type ParamSpec = AnyPipeline['params'][string];

/** What a value must look like, in a few words: what `etl trigger` will check before it sends anything. */
function constraintsOf(spec: ParamSpec): string {
  const parts: string[] = [spec.type ?? 'string'];
  if (spec.type === 'path') parts.push('a file inside the source roots (ETL_SOURCE_ROOTS)');
  if (spec.values) parts.push(`one of ${spec.values.join(' | ')}`);
  if (spec.min !== undefined) parts.push(`≥ ${spec.min}`);
  if (spec.max !== undefined) parts.push(`≤ ${spec.max}`);
  if (spec.pattern) parts.push(`matching /${spec.pattern}/`);
  if (spec.required) parts.push('required');
  if (spec.default !== undefined) parts.push(`default ${spec.default}`);
  return parts.join(', ');
}

export function pipelineDetail(pipeline: AnyPipeline): string {
  const params = Object.entries(pipeline.params).map(([name, spec]) => `  --param ${name}=…\n      ${spec.description}\n      ${constraintsOf(spec)}`);
  return [`${pipeline.name}: ${pipeline.description}`, `target collection: ${pipeline.target.collection}`, 'params:', ...params].join('\n');
}

/** `etl pipelines`: the pipelines this installation hosts (the catalog) and the params each takes. */
export function pipelinesCommand(pipelines: readonly AnyPipeline[] = PIPELINES): Command {
  const command = new Command('pipelines').description('the pipelines this installation hosts and the params each takes');
  command
    .command('list', { isDefault: true })
    .description('one line per pipeline')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      if (opts.json) json(pipelines.map((p) => ({ name: p.name, description: p.description, params: p.params, collection: p.target.collection })));
      else pipelines.forEach((p) => print(`${p.name.padEnd(12)} ${p.description}`));
    });
  command
    .command('show')
    .description('one pipeline: its params, their types and constraints, its target')
    .argument('<name>')
    .option('--json', 'print JSON')
    .action((name: string, opts: { json?: boolean }) => {
      const pipeline = pipelines.find((p) => p.name === name);
      if (!pipeline) {
        process.stderr.write(`no pipeline "${name}"; this installation hosts: ${pipelines.map((p) => p.name).join(', ')}\n`);
        process.exitCode = EXIT.notFound;
        return;
      }
      if (opts.json) json({ name: pipeline.name, description: pipeline.description, params: pipeline.params, collection: pipeline.target.collection });
      else print(pipelineDetail(pipeline));
    });
  return command;
}
