import { backoffMs, retryAfterMs } from './retry-after';
import { parseServiceUrls } from './enrichment.runtime';

describe('retryAfterMs', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(retryAfterMs('2')).toBe(2000);
    const now = Date.parse('2026-12-02T08:00:00Z');
    expect(retryAfterMs('Wed, 02 Dec 2026 08:00:03 GMT', now)).toBe(3000);
    expect(retryAfterMs('Wed, 02 Dec 2026 07:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('backoffMs', () => {
  it('grows exponentially with jitter, up to its ceiling', () => {
    expect(backoffMs(1, () => 0)).toBe(100);
    expect(backoffMs(1, () => 1)).toBe(200);
    expect(backoffMs(3, () => 1)).toBe(800);
    expect(backoffMs(30, () => 1)).toBe(10_000);
  });
});

describe('parseServiceUrls', () => {
  it('reads name=url pairs', () => {
    expect(parseServiceUrls('airport-risk=http://127.0.0.1:5000, geo=https://geo.example/v1')).toEqual({ 'airport-risk': 'http://127.0.0.1:5000', geo: 'https://geo.example/v1' });
    expect(parseServiceUrls(undefined)).toEqual({});
  });

  it('names the entry at fault', () => {
    expect(() => parseServiceUrls('risk')).toThrow('"risk"');
    expect(() => parseServiceUrls('risk=ftp://x')).toThrow('only http and https');
    expect(() => parseServiceUrls('risk=not a url')).toThrow('is not a URL');
  });
});
