import { Command, Option } from 'commander';
import { STAGE_NAMES, type StageName } from '@brokered-etl/contracts';
import { EtlError } from '@brokered-etl/errors';
import { parseIsoDuration, type ResetTarget } from '@brokered-etl/replay';
import { EXIT, print, printJson, withControl } from './cli-context';

interface ReplayOptions {
  stage: StageName;
  toEarliest?: boolean;
  toLatest?: boolean;
  toDatetime?: string;
  toOffset?: string;
  partition?: string;
  byDuration?: string;
  dryRun?: boolean;
  json?: boolean;
}

function targetOf(opts: ReplayOptions): ResetTarget {
  const chosen = [opts.toEarliest, opts.toLatest, opts.toDatetime, opts.toOffset, opts.byDuration].filter((v) => v !== undefined);
  if (chosen.length !== 1) throw new EtlError('BAD_PARAMS', 'choose exactly one of --to-earliest, --to-latest, --to-datetime, --to-offset, --by-duration');
  if (opts.toEarliest) return { kind: 'earliest' };
  if (opts.toLatest) return { kind: 'latest' };
  if (opts.toDatetime !== undefined) {
    const at = new Date(opts.toDatetime);
    if (Number.isNaN(at.getTime())) throw new EtlError('BAD_PARAMS', `--to-datetime "${opts.toDatetime}" is not an ISO date-time (e.g. 2026-11-26T10:00:00Z)`);
    return { kind: 'datetime', at };
  }
  if (opts.toOffset !== undefined) {
    if (!/^\d+$/.test(opts.toOffset)) throw new EtlError('BAD_PARAMS', `--to-offset "${opts.toOffset}" is not a non-negative integer`);
    const partition = opts.partition === undefined ? undefined : Number(opts.partition);
    if (partition !== undefined && !Number.isInteger(partition)) throw new EtlError('BAD_PARAMS', `--partition "${opts.partition}" is not an integer`);
    return { kind: 'offset', offset: opts.toOffset, partition };
  }
  try {
    return { kind: 'duration', ms: parseIsoDuration(opts.byDuration!) };
  } catch (err) {
    throw new EtlError('BAD_PARAMS', `--by-duration: ${(err as Error).message}`);
  }
}

export function replayCommand(): Command {
  return new Command('replay')
    .description("replay a stage from Kafka: move its consumer group's offsets back (or forward)")
    .addOption(new Option('--stage <stage>', 'the stage whose input to replay').choices([...STAGE_NAMES]).makeOptionMandatory())
    .option('--to-earliest', 'from the oldest retained message')
    .option('--to-latest', 'skip to the end (nothing is reprocessed)')
    .option('--to-datetime <iso>', 'from the first message at or after this time')
    .option('--to-offset <n>', 'from this offset (with --partition: on that partition only)')
    .option('--partition <p>', 'with --to-offset: the partition')
    .option('--by-duration <iso8601>', 'from this long ago, e.g. PT1H')
    .option('--dry-run', 'print current → new offsets and the messages to reprocess; change nothing')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `\nKafka only resets a group without members: stop that stage's workers first (SIGTERM), or the command refuses (exit 4) and names them.\nReplays are idempotent: the same target documents and counts come out again.\n\nExamples:\n  etl replay --stage transformer --to-earliest --dry-run\n  etl replay --stage loader --to-datetime 2026-11-26T10:00:00Z`,
    )
    .action(async (opts: ReplayOptions) => {
      const target = targetOf(opts);
      process.exitCode = await withControl(async (control) => {
        try {
          const result = await control.replay({ stage: opts.stage, target, dryRun: !!opts.dryRun });
          if (opts.json) printJson(result);
          else {
            print(`${result.applied ? 'reset' : 'plan for'} group ${result.groupId}${result.applied ? '' : ' (dry run: nothing changed)'}`);
            print(`${'topic'.padEnd(40)} ${'partition'.padStart(9)} ${'current'.padStart(9)} → ${'new'.padEnd(9)} ${'reprocess'.padStart(9)}`);
            for (const r of result.plan) print(`${r.topic.padEnd(40)} ${String(r.partition).padStart(9)} ${r.current.padStart(9)} → ${r.next.padEnd(9)} ${String(r.reprocess).padStart(9)}`);
            print(`${result.reprocess} message(s) will be processed again${result.activeMembers.length ? `; the group has ${result.activeMembers.length} active member(s): stop them before applying` : ''}`);
          }
          return EXIT.ok;
        } catch (err) {
          if (err instanceof EtlError && err.code === 'GROUP_ACTIVE') {
            process.stderr.write(`etl: ${err.message}\n`);
            return EXIT.refused;
          }
          throw err;
        }
      }, { producer: false });
    });
}
