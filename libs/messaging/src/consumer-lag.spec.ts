import { lagOf } from './consumer-lag';

describe('lagOf', () => {
  it('is the distance from the committed offset to the log end', () => {
    expect(lagOf('7', '0', '10')).toBe(3);
    expect(lagOf('10', '0', '10')).toBe(0);
  });
  it('counts the whole retained log when the group has committed nothing', () => {
    expect(lagOf('-1', '4', '10')).toBe(6);
    expect(lagOf('-1', '0', '0')).toBe(0);
  });
  it('is never negative (a commit beyond a truncated log end)', () => {
    expect(lagOf('12', '0', '10')).toBe(0);
  });
});
