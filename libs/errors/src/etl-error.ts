/**
 * The closed list of failures we know. Each carries its retry decision so
 * nothing downstream ever branches on an error message.
 */
export const ERROR_CODES = {
  // permanent: the input itself is wrong; retrying cannot help → dead letter
  DECODE_FAILED: { retriable: false },
  SCHEMA_UNKNOWN: { retriable: false },
  VALIDATION_FAILED: { retriable: false },
  UNKNOWN_PIPELINE: { retriable: false },
  BAD_PARAMS: { retriable: false },
  SOURCE_NOT_FOUND: { retriable: false },
  SOURCE_UNREADABLE: { retriable: false },
  NOT_FOUND: { retriable: false },
  // an operation Kafka forbids right now (e.g. resetting a group with members)
  GROUP_ACTIVE: { retriable: false },
  // a message (or batch) above the broker's max.message.bytes: resending the same bytes fails the same way
  MESSAGE_TOO_LARGE: { retriable: false },
  // the broker refused the write itself: authorisation, invalid or corrupt record, topic that does not exist
  BROKER_REJECTED: { retriable: false },
  // a write the database refuses deterministically (validation, type, size): the same write fails again
  DATABASE_REJECTED: { retriable: false },
  // a source's content differs from what was planned (its fingerprint changed): its splits no longer fit
  SOURCE_CHANGED: { retriable: false },
  // a third-party service refused a record for good (a 4xx other than 408/429): the record is rejected with its reason
  ENRICHMENT_REFUSED: { retriable: false },
  // a transient error outlived the retry budget: dead-lettered with the last error as cause so the partition moves on
  RETRIES_EXHAUSTED: { retriable: false },
  // transient: a dependency is away for now → retry with backoff, never skip
  BROKER_UNAVAILABLE: { retriable: true },
  REGISTRY_UNAVAILABLE: { retriable: true },
  DATABASE_UNAVAILABLE: { retriable: true },
  DEPENDENCY_TIMEOUT: { retriable: true },
  // a third-party service kept answering 429/5xx or timing out through every attempt of a call
  SERVICE_UNAVAILABLE: { retriable: true },
  // fatal: the process cannot do its job as configured → crash loudly at start-up
  SCHEMA_INCOMPATIBLE: { retriable: false },
  CONFIG_INVALID: { retriable: false },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class EtlError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, { cause: options.cause });
    this.name = 'EtlError';
    this.code = code;
    this.retriable = ERROR_CODES[code].retriable;
    this.details = options.details;
  }
}

export function isEtlError(err: unknown): err is EtlError {
  return err instanceof EtlError;
}

export type Decision = 'retry' | 'dead-letter' | 'crash';

const FATAL: ReadonlySet<ErrorCode> = new Set(['SCHEMA_INCOMPATIBLE', 'CONFIG_INVALID']);

/**
 * The one place unknown errors become a decision. Libraries wrap what they
 * know (network, driver, registry) into EtlError at their edge; anything still
 * unknown is treated as transient so data is never dropped on a guess.
 */
export function classify(err: unknown): Decision {
  if (isEtlError(err)) {
    if (FATAL.has(err.code)) return 'crash';
    return err.retriable ? 'retry' : 'dead-letter';
  }
  return 'retry';
}

export function errorCodeOf(err: unknown): string {
  return isEtlError(err) ? err.code : err instanceof Error ? err.name : 'UNKNOWN';
}

export function errorMessageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
