/**
 * npm run third-party [-- --port 8090] [--median-ms 40] [--p95-ms 200] [--error-rate 0.02] [--throttle 40]
 * The simulated slow third party (libs/third-party) on 127.0.0.1, for running
 * the airport-risk pipeline by hand: point the transformer at it with
 * ENRICHMENT_SERVICES=airport-risk=<the printed URL>. GET /_counters shows
 * what it saw. Ctrl-C stops it.
 */
import { startThirdPartyService } from '@brokered-etl/third-party';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`third-party: --${name} takes a non-negative number, not "${process.argv[at + 1]}"`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const throttle = option('throttle', 0);
  const service = await startThirdPartyService(
    {
      latency: { medianMs: option('median-ms', 40), p95Ms: option('p95-ms', 200) },
      serverErrorRate: option('error-rate', 0.02),
      throttle: throttle > 0 ? { requestsPerSecond: throttle, burst: Math.max(1, Math.round(throttle / 4)), retryAfterSeconds: 1 } : undefined,
    },
    option('port', 0),
  );
  console.log(`third party on ${service.url}  (GET /risk/<key>, POST /risk/batch, POST /jobs, GET /_counters)`);
  console.log(`ENRICHMENT_SERVICES=airport-risk=${service.url}`);
  const stop = () => void service.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
