import { baseWorkerEnvSchema, parseEnv } from './env.schema';

describe('ETL_SOURCE_ROOTS', () => {
  it('unset or empty: undefined, so the app applies the default roots', () => {
    expect(parseEnv(baseWorkerEnvSchema, {}).ETL_SOURCE_ROOTS).toBeUndefined();
    expect(parseEnv(baseWorkerEnvSchema, { ETL_SOURCE_ROOTS: ' ' }).ETL_SOURCE_ROOTS).toBeUndefined();
  });

  it('takes absolute folders separated by commas or the path delimiter', () => {
    expect(parseEnv(baseWorkerEnvSchema, { ETL_SOURCE_ROOTS: '/srv/data, /mnt/in' }).ETL_SOURCE_ROOTS).toEqual(['/srv/data', '/mnt/in']);
    expect(parseEnv(baseWorkerEnvSchema, { ETL_SOURCE_ROOTS: '/srv/data:/mnt/in' }).ETL_SOURCE_ROOTS).toEqual(['/srv/data', '/mnt/in']);
  });

  it('refuses a relative root, naming the variable', () => {
    expect(() => parseEnv(baseWorkerEnvSchema, { ETL_SOURCE_ROOTS: '/srv/data,data' })).toThrow(/ETL_SOURCE_ROOTS: every root must be an absolute path/);
  });
});
