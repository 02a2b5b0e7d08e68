import { parseIsoDuration, planReset } from './offset-plan';

const ranges = [
  { topic: 't', partition: 0, low: '0', high: '10' },
  { topic: 't', partition: 1, low: '5', high: '8' },
];
const committed = [
  { topic: 't', partition: 0, offset: '10' },
  { topic: 't', partition: 1, offset: '-1' },
];

describe('planReset', () => {
  it('to earliest replays everything still retained', () => {
    expect(planReset({ target: { kind: 'earliest' }, ranges, committed })).toEqual([
      { topic: 't', partition: 0, current: '10', next: '0', reprocess: 10 },
      { topic: 't', partition: 1, current: '-1', next: '5', reprocess: 0 },
    ]);
  });

  it('to an offset on one partition leaves the others out, and clamps into the retained range', () => {
    expect(planReset({ target: { kind: 'offset', offset: '2', partition: 1 }, ranges, committed })).toEqual([{ topic: 't', partition: 1, current: '-1', next: '5', reprocess: 0 }]);
    expect(planReset({ target: { kind: 'offset', offset: '4' }, ranges, committed })[0]).toMatchObject({ next: '4', reprocess: 6 });
  });

  it('to a time uses the offsets Kafka found for it, or the end when nothing is that new', () => {
    const atTime = [
      { topic: 't', partition: 0, offset: '7' },
      { topic: 't', partition: 1, offset: '-1' },
    ];
    expect(planReset({ target: { kind: 'datetime', at: new Date() }, ranges, committed, atTime }).map((r) => r.next)).toEqual(['7', '8']);
  });
});

describe('parseIsoDuration', () => {
  it('reads the usual forms', () => {
    expect(parseIsoDuration('PT1H')).toBe(3_600_000);
    expect(parseIsoDuration('PT30M')).toBe(1_800_000);
    expect(parseIsoDuration('P1DT2H')).toBe(93_600_000);
    expect(parseIsoDuration('PT1.5S')).toBe(1500);
  });
  it('refuses what is not one', () => {
    expect(() => parseIsoDuration('1h')).toThrow(/not an ISO-8601 duration/);
    expect(() => parseIsoDuration('P')).toThrow();
  });
});
