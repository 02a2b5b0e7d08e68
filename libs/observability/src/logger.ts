import { createLogger, format, transports, type Logger } from 'winston';
import { redactDeep } from './redact';

export type { Logger } from 'winston';

export interface LoggerOptions {
  /** The app (service) name carried on every line. */
  service: string;
  level?: string;
  /** json for machines (default), pretty for a terminal. */
  format?: 'json' | 'pretty';
}

/** The message and every string field with secrets masked (redactSecrets), so no call site has to remember. */
export const redactFormat = format((info) => {
  for (const key of Object.keys(info)) info[key] = redactDeep(info[key]);
  return info;
});

/** One root logger per app; modules take `logger.child({ module })`. */
export function createRootLogger(options: LoggerOptions): Logger {
  const pretty = format.combine(
    format.colorize(),
    format.printf(({ level, message, timestamp, service, module, ...fields }) => {
      const rest = Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
      return `${timestamp} ${level} [${String(module ?? service)}] ${String(message)}${rest}`;
    }),
  );
  return createLogger({
    level: options.level ?? 'info',
    defaultMeta: { service: options.service },
    format: format.combine(format.timestamp(), format.errors({ stack: true }), redactFormat(), options.format === 'pretty' ? pretty : format.json()),
    // stderr: stdout stays free for a CLI's real output
    transports: [new transports.Console({ stderrLevels: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] })],
  });
}

/** A logger that drops everything: for unit tests and library defaults. */
export function createSilentLogger(): Logger {
  return createLogger({ silent: true, transports: [new transports.Console({ silent: true })] });
}
