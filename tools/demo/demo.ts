/**
 * npm run demo [-- --source flights-3m.parquet]
 * Brings the local infrastructure up if needed, starts the three stage
 * workers, triggers one flights run, shows progress, prints a summary, then
 * runs the airport-risk pipeline on 200 airports against the simulated
 * third party (and reruns it: no new call), stops the workers. Exits 0 only
 * if the runs completed and their counts add up.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from '@brokered-etl/config';
import { createLocalInfra, localInfraOptionsFromEnv } from '@brokered-etl/local-infra';
import { createRootLogger } from '@brokered-etl/observability';
import { defaultSourceRoots, vegaDataDir } from '@brokered-etl/pipeline-kit';
import { AIRPORT_RISK_SERVICE } from '@brokered-etl/pipelines/airport-risk';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { connectRunControl, type RunControl } from '@brokered-etl/run-control';
import { startThirdPartyService, type ThirdPartyService } from '@brokered-etl/third-party';
import { stageWorkerEnvSchema } from '@brokered-etl/worker';
import { startApp } from '@brokered-etl/testing';

const ROOT = join(__dirname, '..', '..');

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.log('usage: npm run demo [-- --source <flights file>]   (default flights-20k.json; flights-3m.parquet for the big one)');
    return 0;
  }
  const source = args[args.indexOf('--source') + 1] && args.includes('--source') ? args[args.indexOf('--source') + 1]! : 'flights-20k.json';

  const infra = createLocalInfra(localInfraOptionsFromEnv(ROOT, process.env));
  const { endpoints } = await infra.up((line) => console.log(`[infra] ${line}`));
  // the enrichment step's third party: slow, sometimes failing, on 127.0.0.1 and a free port
  const service = await startThirdPartyService({ latency: { medianMs: 40, p95Ms: 200 }, serverErrorRate: 0.02 });
  const enrichmentSource = airportsSample(200);
  const workerEnv = {
    KAFKA_BROKERS: endpoints.kafkaBrokers,
    SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl,
    MONGO_URL: endpoints.mongoUrl,
    MONGO_DB: process.env['MONGO_DB'] ?? 'brokered_etl',
    ETL_NAMESPACE: process.env['ETL_NAMESPACE'] ?? '',
    ENRICHMENT_SERVICES: `${AIRPORT_RISK_SERVICE}=${service.url}`,
    ETL_SOURCE_ROOTS: [...defaultSourceRoots(), enrichmentSource.dir].join(','),
    // info: the demo waits for each worker's "joined group" line
    LOG_LEVEL: 'info',
  };
  const env = parseEnv(stageWorkerEnvSchema, workerEnv);

  console.log('starting extractor, transformer, loader…');
  const workers = ['extractor', 'transformer', 'loader'].map((name) => ({ name, app: startApp(name, workerEnv) }));
  try {
    await Promise.all(workers.map(({ app }) => app.waitForLine((line) => line.includes('"joined group"'), 120_000)));
    const logger = createRootLogger({ service: 'demo', level: 'warn', format: 'pretty' });
    const connected = await connectRunControl(env, logger, PIPELINES.map((p) => p.name));
    try {
      const request = await connected.control.trigger({ pipeline: 'flights', params: { source }, requestedBy: 'demo' });
      console.log(`run ${request.runId} requested (source ${source})`);
      const started = Date.now();
      // a terminal gets one updating line; a log (CI) gets a line every 5 s
      const tty = process.stdout.isTTY;
      let lastLine = 0;
      const run = await connected.control.waitForRun(request.runId, {
        everyMs: 1000,
        onProgress: (r) => {
          const c = r?.counts;
          if (!tty && Date.now() - lastLine < 5000 && r?.status !== 'completed') return;
          lastLine = Date.now();
          process.stdout.write(`${tty ? '\r' : ''}  ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s  ${r?.status ?? 'waiting'}  splits ${c?.splitsExtracted ?? 0}/${r?.splitCount ?? '?'}  chunks ${c?.chunksLoaded ?? 0}/${r?.totalChunks ?? '?'}  extracted ${c?.extracted ?? 0}  transformed ${c?.transformed ?? 0}  rejected ${c?.rejected ?? 0}  loaded ${c?.loaded ?? 0}${tty ? '   ' : '\n'}`);
        },
      });
      const seconds = (run.finishedAt!.getTime() - (run.startedAt ?? run.requestedAt).getTime()) / 1000;
      const c = run.counts!;
      const addsUp = c.extracted === c.transformed + c.rejected && c.loaded === c.transformed && c.extracted === run.totalRecords;
      console.log(`\n\nrun       ${run.runId}\nstatus    ${run.status}\nrecords   extracted ${c.extracted}  transformed ${c.transformed}  rejected ${c.rejected}  loaded ${c.loaded}\nchunks    ${c.chunksLoaded}\nduration  ${seconds.toFixed(1)} s  (${Math.round(c.loaded / seconds)} records/s)\ncounts    ${addsUp ? 'add up' : 'DO NOT add up'}`);
      if (run.status !== 'completed' || !addsUp) return 1;
      return await enrichmentStep(connected.control, service, enrichmentSource.file);
    } finally {
      await connected.close();
    }
  } finally {
    await Promise.all(workers.map(({ app }) => app.stop('SIGTERM')));
    await service.close();
    console.log('workers stopped (infrastructure left running: npm run infra:down)');
  }
}

/** The first `count` airports of vega-datasets' airports.csv, in a folder of their own (added to the source roots). */
function airportsSample(count: number): { dir: string; file: string } {
  const lines = readFileSync(join(vegaDataDir(), 'airports.csv'), 'utf8').trim().split('\n');
  const dir = mkdtempSync(join(tmpdir(), 'etl-demo-'));
  const file = join(dir, `airports-${count}.csv`);
  writeFileSync(file, lines.slice(0, count + 1).join('\n') + '\n');
  return { dir, file };
}

/** airport-risk: one call per airport within the pipeline's limits, as the service counted them; its rerun asks nothing. */
async function enrichmentStep(control: RunControl, service: ThirdPartyService, source: string): Promise<number> {
  console.log(`\nairport-risk: a risk evaluation per airport from ${service.url} (simulated third party)…`);
  const { runId } = await control.trigger({ pipeline: 'airport-risk', params: { source }, requestedBy: 'demo' });
  const run = await control.waitForRun(runId, { timeoutMs: 300_000 });
  const seen = service.counters();
  const seconds = (run.finishedAt!.getTime() - (run.startedAt ?? run.requestedAt).getTime()) / 1000;
  console.log(`run       ${runId}\nstatus    ${run.status}  loaded ${run.counts?.loaded}  rejected ${run.counts?.rejected}  in ${seconds.toFixed(1)} s`);
  console.log(`service   ${seen.calls} calls (${Object.entries(seen.byStatus).map(([status, n]) => `${n}× ${status}`).join(', ')}), at most ${seen.maxInFlight} at once and ${seen.maxPerSecond} in one second`);
  service.resetCounters();
  await control.rerun(runId, 'transform');
  const rerun = await control.waitForRun(runId, { timeoutMs: 300_000 });
  console.log(`rerun     ${rerun.status} from transform with ${service.counters().calls} new calls (answers staged in enrichment.responses)`);
  return run.status === 'completed' && rerun.status === 'completed' && service.counters().calls === 0 && run.counts?.loaded === 200 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
