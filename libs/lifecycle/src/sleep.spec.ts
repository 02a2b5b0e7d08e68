import { getEventListeners } from 'node:events';
import { sleep } from './sleep';

describe('sleep', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('resolves true once the time passed, leaving no listener on the signal', async () => {
    const abort = new AbortController();
    const waiting = sleep(1000, abort.signal);
    await jest.advanceTimersByTimeAsync(999);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await expect(waiting).resolves.toBe(true);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
  });

  it('resolves false at once when aborted, and when the signal was already aborted', async () => {
    const abort = new AbortController();
    const waiting = sleep(60_000, abort.signal);
    abort.abort();
    await expect(waiting).resolves.toBe(false);
    expect(jest.getTimerCount()).toBe(0);
    await expect(sleep(60_000, abort.signal)).resolves.toBe(false);
  });
});
