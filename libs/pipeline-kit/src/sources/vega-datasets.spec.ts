import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { isEtlError } from '@brokered-etl/errors';
import { planFileSource } from './file-plan';
import { readFileRecords, vegaDataDir } from './file-source';
import { collect, readPlan } from './source-files.fixture';

// Real files of every shape vega-datasets ships (CRLF, quoted fields, GeoJSON
// objects that are not arrays): the split path must agree with the
// whole-file reader on each, records or refusal. Files over 220 kB stay out to keep
// the unit run fast; the generated specs cover size.
const MAX_BYTES = 220_000;
const files = readdirSync(vegaDataDir())
  .filter((name) => ['.json', '.csv'].includes(extname(name)))
  .filter((name) => statSync(join(vegaDataDir(), name)).size <= MAX_BYTES);

describe('split reading agrees with the whole-file reader on vega-datasets', () => {
  it.each(files)('%s', async (name) => {
    const path = join(vegaDataDir(), name);
    const format = extname(name) === '.csv' ? 'csv' : 'json';
    const whole = await collect(readFileRecords(path, format)).catch((err: unknown) => err);
    const plan = await planFileSource(path, format, { splitRecords: 997 }).catch((err: unknown) => err);
    if (!Array.isArray(whole)) {
      // not an array of records (e.g. a TopoJSON object): both paths refuse it
      expect(isEtlError(whole) && whole.code).toBe('SOURCE_UNREADABLE');
      expect(isEtlError(plan) && plan.code).toBe('SOURCE_UNREADABLE');
      return;
    }
    if (isEtlError(plan)) throw plan;
    const split = await readPlan(path, format, plan as Awaited<ReturnType<typeof planFileSource>>);
    expect(split.length).toBe(whole.length);
    expect(split).toEqual(whole);
  });
});
