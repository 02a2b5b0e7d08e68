import { parseEnv } from '@brokered-etl/config';
import { OPS_PORTS, stageWorkerEnvSchema } from './worker.config';

describe('stage worker env: ops endpoints', () => {
  it('listens on loopback by default and leaves the port to the stage default', () => {
    const env = parseEnv(stageWorkerEnvSchema, {});
    expect(env).toMatchObject({ OPS_HOST: '127.0.0.1', READINESS_STALE_MS: 10_000 });
    expect(env.OPS_PORT).toBeUndefined();
    expect(OPS_PORTS).toEqual({ extractor: 9464, transformer: 9465, loader: 9466 });
  });

  it('takes 0 (any free port) and names the variable when a port is wrong', () => {
    expect(parseEnv(stageWorkerEnvSchema, { OPS_PORT: '0' }).OPS_PORT).toBe(0);
    expect(() => parseEnv(stageWorkerEnvSchema, { OPS_PORT: '70000' })).toThrow(/OPS_PORT/);
    expect(() => parseEnv(stageWorkerEnvSchema, { READINESS_STALE_MS: '10' })).toThrow(/READINESS_STALE_MS/);
  });
});

describe('stage worker env: target writes', () => {
  it('writes with majority and picks the write path by server unless told, and names a wrong value', () => {
    expect(parseEnv(stageWorkerEnvSchema, {})).toMatchObject({ TARGET_WRITE_CONCERN: 'majority', TARGET_WRITE_PATH: 'auto', TARGET_WRITE_TIMEOUT_MS: 60_000 });
    expect(parseEnv(stageWorkerEnvSchema, { TARGET_WRITE_CONCERN: '1', TARGET_WRITE_PATH: 'bulk-replace' })).toMatchObject({ TARGET_WRITE_CONCERN: 1, TARGET_WRITE_PATH: 'bulk-replace' });
    expect(() => parseEnv(stageWorkerEnvSchema, { TARGET_WRITE_CONCERN: 'all' })).toThrow(/TARGET_WRITE_CONCERN/);
    expect(() => parseEnv(stageWorkerEnvSchema, { TARGET_WRITE_PATH: 'delete-then-insert' })).toThrow(/TARGET_WRITE_PATH/);
  });
});
