import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { pipelineDetail } from './pipelines.command';

describe('etl pipelines show', () => {
  it('prints every param of a pipeline with its meaning and what a value must look like', () => {
    const flights = PIPELINES.find((p) => p.name === 'flights')!;
    const text = pipelineDetail(flights);
    for (const name of Object.keys(flights.params)) expect(text).toContain(`--param ${name}=…`);
    expect(text).toMatch(/format=…\n.*\n\s+string, one of json \| csv \| parquet/);
    expect(text).toMatch(/source=…\n.*\n\s+path, a file inside the source roots/);
    expect(text).toContain('target collection: flights');
  });
});
