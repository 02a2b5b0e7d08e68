import { parseEnv, secretsOf } from '@brokered-etl/config';
import { createRootLogger, registerSecrets } from '@brokered-etl/observability';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { connectRunControl, type RunControl } from '@brokered-etl/run-control';
import { cliEnvSchema } from './cli.config';

/** Exit codes: 0 ok, 1 failed run or error, 2 bad usage, 3 not found, 4 refused (e.g. group active). */
export const EXIT = { ok: 0, failed: 1, usage: 2, notFound: 3, refused: 4 } as const;

export const print = (text: string) => process.stdout.write(`${text}\n`);
export const printJson = (value: unknown) => print(JSON.stringify(value, null, 2));
/** Progress goes to stderr, so stdout stays parseable. */
export const progress = (text: string) => process.stderr.write(process.stderr.isTTY ? `\r${text}\x1b[K` : `${text}\n`);

export async function withControl<T>(work: (control: RunControl) => Promise<T>, options: { producer?: boolean } = {}): Promise<T> {
  const env = parseEnv(cliEnvSchema, process.env);
  registerSecrets(secretsOf(env));
  const logger = createRootLogger({ service: 'etl-cli', level: process.env['LOG_LEVEL'] ?? 'warn', format: 'pretty' });
  const connected = await connectRunControl(env, logger, PIPELINES.map((p) => p.name), options);
  try {
    return await work(connected.control);
  } finally {
    await connected.close();
  }
}
