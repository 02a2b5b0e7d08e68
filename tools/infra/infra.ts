/**
 * npm run infra:up | infra:status | infra:down | infra:logs
 * Provisions (into ~/.cache/brokered-etl), starts, health-checks and stops the
 * local Kafka, schema registry and MongoDB-compatible database. Ports and
 * paths come from ETL_* variables; see README "Local infrastructure".
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalInfra, InfraError, localInfraOptionsFromEnv, MAX_LOCAL_BROKERS, runningClusterSize } from '@brokered-etl/local-infra';

const ROOT = join(__dirname, '..', '..');
const USAGE = `usage: npm run infra:<up|status|down|logs>   (tsx tools/infra/infra.ts <command> [--json] [--brokers <n>])

  up       provision what is missing, start what is stopped, wait until each answers, print endpoints
           --brokers 3: a KRaft cluster of 3 combined broker+controller nodes instead of the single broker
           (node n on ETL_KAFKA_PORT + 2(n-1) and ETL_KAFKA_CONTROLLER_PORT + 2(n-1), data in .infra/kafka-cluster/node-n);
           stop the single broker first (infra:down). status, down and logs find a running cluster themselves.
  status   show each service: healthy, starting, stopped, or "foreign" (answering, not started by us)
  down     stop the services started by up
  logs     print the last lines of each service's log

environment: ETL_KAFKA_PORT (9092) ETL_KAFKA_CONTROLLER_PORT (9093) ETL_REGISTRY_PORT (8081)
             ETL_REGISTRY_MANAGEMENT_PORT (8091) ETL_MONGO_PORT (27017) ETL_INFRA_DIR (.infra)
             ETL_INFRA_CACHE (~/.cache/brokered-etl) ETL_KAFKA_JAVA ETL_REGISTRY_JAVA ETL_FERRETDB_HANDLER (sqlite)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const json = rest.includes('--json');
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const options = localInfraOptionsFromEnv(ROOT, process.env);
  const infra = createLocalInfra({ ...options, kafkaBrokers: brokersOf(rest) ?? (runningClusterSize(options.stateDir) || 1) });
  const say = (line: string) => console.log(line);

  switch (command) {
    case 'up': {
      const started = Date.now();
      const result = await infra.up(json ? () => undefined : say);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (json) {
        console.log(JSON.stringify({ ...result, seconds: Number(seconds) }));
      } else {
        console.log(`\nready in ${seconds}s${result.started.length === 0 ? ' (everything was already running)' : ''}`);
        console.log(`  KAFKA_BROKERS=${result.endpoints.kafkaBrokers}`);
        console.log(`  SCHEMA_REGISTRY_URL=${result.endpoints.schemaRegistryUrl}`);
        console.log(`  MONGO_URL=${result.endpoints.mongoUrl}`);
      }
      return 0;
    }
    case 'status': {
      const statuses = await infra.status();
      if (json) console.log(JSON.stringify(statuses));
      else for (const s of statuses) console.log(`${s.name.padEnd(9)} ${s.state.padEnd(8)} ${s.pid ? `pid ${s.pid}`.padEnd(11) : ''.padEnd(11)} ${s.endpoint}`);
      return statuses.every((s) => s.state === 'healthy') ? 0 : 3;
    }
    case 'down': {
      const stopped = await infra.down();
      console.log(json ? JSON.stringify({ stopped }) : stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing was running');
      return 0;
    }
    case 'logs': {
      for (const { name, logFile } of infra.logFiles()) {
        console.log(`==> ${name}: ${logFile}`);
        if (existsSync(logFile)) console.log(readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n'));
      }
      return 0;
    }
    default:
      console.error(`unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

/** --brokers <n> (or --brokers=<n>): 1 is the single broker. */
function brokersOf(args: string[]): number | undefined {
  const at = args.findIndex((a) => a === '--brokers' || a.startsWith('--brokers='));
  if (at < 0) return undefined;
  const raw = args[at].includes('=') ? args[at].split('=')[1] : args[at + 1];
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LOCAL_BROKERS) throw new InfraError('START_FAILED', `--brokers must be 1 to ${MAX_LOCAL_BROKERS}, got "${raw ?? ''}"`);
  return n;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // InfraError messages are one line that says what to do; anything else is a bug worth a stack
    console.error(err instanceof InfraError || (err instanceof Error && err.message.includes('must be')) ? `infra: ${err.message}` : err);
    process.exit(1);
  },
);
