/** What the simulated service saw: what tests measure a client's limits against. */
export interface CallCounters {
  /** Every request to the service's API (counters and control routes excluded). */
  calls: number;
  /** Requests being answered now. */
  inFlight: number;
  /** Most requests in flight at once since the last reset. */
  maxInFlight: number;
  /** Most requests that arrived within any 1-second window since the last reset. */
  maxPerSecond: number;
  /** Requests per answer status, e.g. {"200": 40, "429": 3}. */
  byStatus: Record<string, number>;
  /** Requests per key asked about (a batch counts each of its keys). */
  byKey: Record<string, number>;
  /** Jobs created (POST /jobs answered 202) per key: a client that resumes by polling submits each key once. */
  jobsByKey: Record<string, number>;
}

export function createCallCounters(now: () => number = () => performance.now()) {
  let state = fresh();
  // arrival times still inside the sliding second; the window's high-water mark is kept in maxPerSecond
  let window: number[] = [];

  function fresh(): CallCounters {
    return { calls: 0, inFlight: 0, maxInFlight: 0, maxPerSecond: 0, byStatus: {}, byKey: {}, jobsByKey: {} };
  }

  return {
    /** A request arrived; returns the function that records its answer. */
    arrived(keys: string[]): (status: number) => void {
      const at = now();
      state.calls++;
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      window.push(at);
      while (window.length && window[0] <= at - 1000) window.shift();
      state.maxPerSecond = Math.max(state.maxPerSecond, window.length);
      for (const key of keys) state.byKey[key] = (state.byKey[key] ?? 0) + 1;
      let answered = false;
      return (status) => {
        if (answered) return;
        answered = true;
        state.inFlight--;
        state.byStatus[status] = (state.byStatus[status] ?? 0) + 1;
      };
    },
    /** A job was created for this key. */
    jobCreated(key: string) {
      state.jobsByKey[key] = (state.jobsByKey[key] ?? 0) + 1;
    },
    snapshot: (): CallCounters => ({ ...state, byStatus: { ...state.byStatus }, byKey: { ...state.byKey }, jobsByKey: { ...state.jobsByKey } }),
    /** Keeps inFlight: requests still being answered are still in flight. */
    reset() {
      const inFlight = state.inFlight;
      state = { ...fresh(), inFlight, maxInFlight: inFlight };
      window = [];
    },
  };
}
