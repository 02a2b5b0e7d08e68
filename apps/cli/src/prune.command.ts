import { Command } from 'commander';
import { pruneOptionsOf } from '@brokered-etl/staging';
import { print, printJson, withControl } from './cli-context';

/** `etl runs prune`: retention by hand (the scheduler applies the same policy when RETENTION_RUNS_OLDER_THAN is set). */
export function pruneCommand(): Command {
  return new Command('prune')
    .description('remove completed and failed runs older than an age from staging (the target is never touched); open runs are never removed')
    .requiredOption('--older-than <age>', 'runs that finished longer ago than this go entirely: 30d, 12h, 90m, 2w')
    .option('--payloads-older-than <age>', 'runs that finished longer ago than this keep their summary but lose their staged chunks (no rerun from staging)')
    .option('--keep-failed', 'keep failed runs whole (their dead letters can still be redriven)')
    .option('--dry-run', 'list what would go, remove nothing')
    .option('--json', 'print JSON')
    .addHelpText('after', `\nExample:\n  etl runs prune --older-than 30d --payloads-older-than 7d --keep-failed --dry-run`)
    .action(async (opts: { olderThan: string; payloadsOlderThan?: string; keepFailed?: boolean; dryRun?: boolean; json?: boolean }) => {
      const options = pruneOptionsOf(opts);
      await withControl(async (control) => {
        const result = await control.pruneRuns(options);
        if (opts.json) {
          printJson({ dryRun: Boolean(opts.dryRun), ...result });
          return;
        }
        const verb = opts.dryRun ? 'would remove' : 'removed';
        print(`${verb} ${result.pruned.length} runs finished before ${options.runsBefore.toISOString()}${result.pruned.length ? `: ${result.pruned.join(', ')}` : ''}`);
        if (options.payloadsBefore) print(`${opts.dryRun ? 'would expire' : 'expired'} the staged chunks of ${result.payloadsExpired.length} more runs${result.payloadsExpired.length ? `: ${result.payloadsExpired.join(', ')}` : ''}`);
      }, { producer: false });
    });
}
