import { EtlError } from '@brokered-etl/errors';

/** A source without the columns its pipeline reads fails at planning, naming what is missing and what is there. */
export function checkColumns(path: string, where: string, expected: readonly string[], found: readonly string[]): void {
  const present = new Set(found);
  const missing = expected.filter((column) => !present.has(column));
  if (missing.length === 0) return;
  const list = (names: readonly string[]) => (names.length ? names.map((n) => `"${n}"`).join(', ') : '(none)');
  throw new EtlError('SOURCE_UNREADABLE', `${path} lacks the expected column(s) ${list(missing)}; its ${where} has ${list(found)}`, {
    details: { path, missing, found },
  });
}
