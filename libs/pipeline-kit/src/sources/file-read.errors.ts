import { EtlError } from '@brokered-etl/errors';

/** errno codes that say the file itself cannot be read as given: retrying cannot help. */
const PERMANENT_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
  EINVAL: 'invalid path or offset',
};

/**
 * Turns what the file system threw while opening or reading `path` into the
 * error the pipeline can act on: a missing file is SOURCE_NOT_FOUND, a file
 * that cannot be read as given is SOURCE_UNREADABLE (both permanent). Other
 * errno codes (EIO, EMFILE, EAGAIN, …) can pass, so they stay unknown errors,
 * which classify() retries; an EtlError raised further in passes unchanged.
 */
export function fileReadError(path: string, cause: unknown): unknown {
  if (cause instanceof EtlError) return cause;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    return new EtlError('SOURCE_NOT_FOUND', `${path} not found`, { cause, details: { path } });
  }
  if (code && code in PERMANENT_REASONS) {
    return new EtlError('SOURCE_UNREADABLE', `${path} is not readable: ${PERMANENT_REASONS[code]} (${code})`, {
      cause,
      details: { path, errno: code },
    });
  }
  return cause;
}

/** True for errors that came from the file system rather than from the content. */
export function isFileSystemError(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException | undefined;
  return typeof e?.code === 'string' && typeof e.syscall === 'string';
}

/** A content problem (bad syntax, a corrupt page): permanent, named with the file. */
export function unreadableContent(path: string, what: string, cause: unknown): EtlError {
  return new EtlError('SOURCE_UNREADABLE', `${path} is not ${what}: ${(cause as Error)?.message ?? String(cause)}`, {
    cause,
    details: { path },
  });
}

/** Wraps any error of reading `path` as `what` (e.g. "a readable JSON array"): file-system errors by errno, the rest as content errors. */
export function wrapReadError(path: string, what: string, cause: unknown): unknown {
  if (cause instanceof EtlError) return cause;
  if (isFileSystemError(cause)) return fileReadError(path, cause);
  return unreadableContent(path, what, cause);
}
