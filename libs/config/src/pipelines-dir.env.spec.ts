import { pipelinesDirOf } from './pipelines-dir.env';

describe('ETL_PIPELINES_DIR', () => {
  it('unset or blank: undefined, so the catalog reads the project\'s pipelines/ folder', () => {
    expect(pipelinesDirOf({})).toBeUndefined();
    expect(pipelinesDirOf({ ETL_PIPELINES_DIR: '  ' })).toBeUndefined();
  });

  it('takes a folder path as given (trimmed)', () => {
    expect(pipelinesDirOf({ ETL_PIPELINES_DIR: ' /srv/etl/pipelines ' })).toBe('/srv/etl/pipelines');
    expect(pipelinesDirOf({ ETL_PIPELINES_DIR: 'config/pipelines' })).toBe('config/pipelines');
  });

  it('refuses a NUL byte, naming the variable', () => {
    expect(() => pipelinesDirOf({ ETL_PIPELINES_DIR: 'a\0b' })).toThrow(/ETL_PIPELINES_DIR: must be a folder path/);
  });
});
