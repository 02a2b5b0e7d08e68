import { Command } from 'commander';
import type { DeadLetterRecord } from '@brokered-etl/staging';
import { EXIT, print, printJson, withControl } from './cli-context';

const summary = (d: DeadLetterRecord) =>
  `${d.id}\n    ${d.failedAt.toISOString()}  ${d.stage}  ${d.errorCode}: ${d.errorMessage}${d.redrivenAt ? `  (redriven ${d.redrivenAt.toISOString()})` : ''}`;

/** Bytes shown as text when they are printable, else as base64. */
const bytes = (b: Buffer | null) => (b === null ? null : /^[\x20-\x7e\t\n\r]*$/.test(b.toString('latin1')) ? b.toString('utf8') : `base64:${b.toString('base64')}`);
const forJson = (d: DeadLetterRecord) => ({ ...d, key: bytes(d.key), value: bytes(d.value), headers: d.headers.map((h) => ({ key: h.key, value: bytes(h.value) })) });

export function dlqCommand(): Command {
  const dlq = new Command('dlq').description('dead letters: rejected records and messages no stage could process');

  dlq
    .command('list')
    .description('dead letters, newest first (open ones unless --all)')
    .option('--run <runId>', 'only this run')
    .option('--stage <stage>', 'only this stage: extractor, transformer, loader')
    .option('--all', 'include the ones already redriven')
    .option('--limit <n>', 'how many', '100')
    .option('--json', 'print JSON')
    .action(async (opts: { run?: string; stage?: string; all?: boolean; limit: string; json?: boolean }) => {
      await withControl(async (control) => {
        const letters = await control.listDeadLetters({ runId: opts.run, stage: opts.stage, open: !opts.all, limit: Number(opts.limit) });
        if (opts.json) printJson(letters.map(forJson));
        else if (letters.length === 0) print('no dead letters');
        else letters.forEach((d) => print(summary(d)));
      }, { producer: false });
    });

  dlq
    .command('show')
    .description('one dead letter: error, origin (topic, partition, offset), headers, the rejected record')
    .argument('<id>')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      process.exitCode = await withControl(async (control) => {
        const d = await control.getDeadLetter(id);
        if (!d) {
          process.stderr.write(`no dead letter "${id}" (see etl dlq list)\n`);
          return EXIT.notFound;
        }
        if (opts.json) printJson(forJson(d));
        else {
          print(summary(d));
          print(`    run ${d.runId ?? '-'}  pipeline ${d.pipeline ?? '-'}  attempts ${d.attempts}`);
          print(`    from ${d.topic} partition ${d.partition} offset ${d.offset}${d.chunkSeq !== null ? `, chunk ${d.chunkSeq}` : ''}${d.recordIndex !== null ? `, record ${d.recordIndex}` : ''}`);
          print(`    headers ${d.headers.map((h) => `${h.key}=${bytes(h.value)}`).join('  ')}`);
          if (d.record) print(`    record ${d.record}`);
          else print(`    value ${d.value === null ? 'null' : `${d.value.length} bytes`}`);
        }
        return EXIT.ok;
      }, { producer: false });
    });

  dlq
    .command('redrive')
    .description('republish dead letters\' original bytes to their original topic (after fixing the cause)')
    .option('--run <runId>', 'every open dead letter of this run')
    .option('--id <id...>', 'these dead letters')
    .option('--refresh-enrichment', 'ask enrichment services again (e.g. one that refused a record) instead of reusing staged answers')
    .option('--json', 'print JSON')
    .addHelpText('after', `\nA redriven record that now passes counts into its own run; one that fails again is dead-lettered again.\n\nExample:\n  etl dlq redrive --run flights-20261126T101500-1a2b3c4d`)
    .action(async (opts: { run?: string; id?: string[]; json?: boolean; refreshEnrichment?: boolean }) => {
      if (!!opts.run === !!opts.id) {
        process.stderr.write('error: give either --run <runId> or --id <id...>\n');
        process.exitCode = EXIT.usage;
        return;
      }
      await withControl(async (control) => {
        const result = await control.redrive(opts.run ? { runId: opts.run } : { ids: opts.id! }, { refreshEnrichment: opts.refreshEnrichment });
        if (opts.json) printJson(result);
        else print(`redriven ${result.redriven.length} dead letter(s)${result.redriven.length ? `: ${[...new Set(result.redriven.map((r) => r.topic))].join(', ')}` : ''}`);
      });
    });

  return dlq;
}
