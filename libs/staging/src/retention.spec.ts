import { parseAge, pruneOptionsOf } from './retention';

describe('retention ages', () => {
  it('reads minutes, hours, days and weeks', () => {
    expect(parseAge('90m')).toBe(90 * 60_000);
    expect(parseAge('12h')).toBe(12 * 3_600_000);
    expect(parseAge('30d')).toBe(30 * 86_400_000);
    expect(parseAge('2w')).toBe(14 * 86_400_000);
  });

  it('refuses anything else, naming the option', () => {
    expect(() => parseAge('30', 'older than')).toThrow(/older than "30" must be a number and a unit/);
    expect(() => parseAge('-1d')).toThrow(/BAD_PARAMS|must be/);
    expect(() => parseAge('P30D')).toThrow();
  });

  it('turns a policy into cutoffs before now; payloads never outlive their runs', () => {
    const now = new Date(Date.UTC(2026, 11, 31));
    expect(pruneOptionsOf({ olderThan: '30d', payloadsOlderThan: '7d', keepFailed: true }, now)).toEqual({
      runsBefore: new Date(Date.UTC(2026, 11, 1)),
      payloadsBefore: new Date(Date.UTC(2026, 11, 24)),
      keepFailed: true,
      dryRun: undefined,
    });
    expect(() => pruneOptionsOf({ olderThan: '7d', payloadsOlderThan: '30d' }, now)).toThrow(/payloads go first/);
  });
});
