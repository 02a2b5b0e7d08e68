import { Command, Option } from 'commander';
import type { RerunFrom } from '@brokered-etl/replay';
import { EXIT, print, printJson, progress, withControl } from './cli-context';
import { progressLine, runDetail } from './run-format';

export function rerunCommand(): Command {
  return new Command('rerun')
    .description("re-run one stage of one run from its staged artifacts (no offsets move, no other run touched)")
    .argument('<runId>')
    .addOption(new Option('--from <stage>', 'the stage to rerun: transform (from staged extracted chunks) or load (from staged transformed chunks)').choices(['transform', 'load']).makeOptionMandatory())
    .option('--refresh-enrichment', 'ask enrichment services again instead of reusing the answers staged for this run')
    .option('-w, --wait', 'wait until the run completes again (exit 0) or fails (exit 1)')
    .option('--json', 'print JSON')
    .addHelpText('after', `\nThe target ends as after the first run: documents are keyed deterministically and counts are set, not added.\n\nExample:\n  etl rerun flights-20261126T101500-1a2b3c4d --from transform --wait`)
    .action(async (runId: string, opts: { from: RerunFrom; wait?: boolean; json?: boolean; refreshEnrichment?: boolean }) => {
      process.exitCode = await withControl(async (control) => {
        if (!(await control.getRun(runId))) {
          process.stderr.write(`no run "${runId}": it never existed or retention pruned it (see etl runs list; etl runs prune)\n`);
          return EXIT.notFound;
        }
        const result = await control.rerun(runId, opts.from, (done, total) => (opts.json ? undefined : progress(`re-emitted ${done}/${total} chunks`)), { refreshEnrichment: opts.refreshEnrichment });
        if (!opts.json && process.stderr.isTTY) process.stderr.write('\n');
        if (!opts.wait) {
          if (opts.json) printJson(result);
          else print(`run ${runId}: ${result.chunks} chunks (${result.records} records) re-emitted for ${opts.from}, generation ${result.generation}`);
          return EXIT.ok;
        }
        const run = await control.waitForRun(runId, { onProgress: (r) => (opts.json ? undefined : progress(progressLine(r))) });
        if (!opts.json && process.stderr.isTTY) process.stderr.write('\n');
        if (opts.json) printJson({ ...result, run });
        else print(runDetail(run, await control.listRejections(runId)));
        return run.status === 'completed' ? EXIT.ok : EXIT.failed;
      });
    });
}
