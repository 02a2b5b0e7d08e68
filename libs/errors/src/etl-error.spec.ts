import { classify, EtlError } from './etl-error';

describe('classify', () => {
  it('dead-letters permanent errors', () => {
    expect(classify(new EtlError('DECODE_FAILED', 'bad bytes'))).toBe('dead-letter');
    expect(classify(new EtlError('UNKNOWN_PIPELINE', 'nope'))).toBe('dead-letter');
  });

  it('dead-letters what the edges know to be deterministic, and an exhausted retry budget', () => {
    for (const code of ['MESSAGE_TOO_LARGE', 'BROKER_REJECTED', 'DATABASE_REJECTED', 'SOURCE_CHANGED', 'RETRIES_EXHAUSTED'] as const) {
      expect(classify(new EtlError(code, 'no'))).toBe('dead-letter');
    }
  });

  it('retries transient errors and unknown ones, so nothing is dropped on a guess', () => {
    expect(classify(new EtlError('DATABASE_UNAVAILABLE', 'down'))).toBe('retry');
    expect(classify(new Error('socket hang up'))).toBe('retry');
  });

  it('crashes on errors that make the process unable to work', () => {
    expect(classify(new EtlError('SCHEMA_INCOMPATIBLE', 'field removed'))).toBe('crash');
  });
});
