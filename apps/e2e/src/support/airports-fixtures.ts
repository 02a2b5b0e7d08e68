import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vegaDataDir } from '@brokered-etl/pipeline-kit';

/**
 * The first `count` airports of vega-datasets' airports.csv, header kept, as
 * `airports-<count>.csv` in a fresh temp dir named from `dirPrefix`: the path,
 * and the IATA codes in file order.
 */
export function writeAirportsSlice(count: number, dirPrefix: string): { source: string; codes: string[] } {
  const lines = readFileSync(join(vegaDataDir(), 'airports.csv'), 'utf8').trim().split('\n');
  const rows = lines.slice(1, count + 1);
  const source = join(mkdtempSync(join(tmpdir(), dirPrefix)), `airports-${count}.csv`);
  writeFileSync(source, [lines[0], ...rows].join('\n') + '\n');
  return { source, codes: rows.map((row) => row.split(',')[0]) };
}
