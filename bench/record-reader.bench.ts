/**
 * npx tsx bench/record-reader.bench.ts [rows] — what building extracted
 * records through a declared shape (recordReader) costs per source row, next
 * to the raw limit: the hand-written object literal flights used before.
 * CPU only, no services; best of 5 rounds over flights-20k.json's rows, repeated.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordReader, recordShape, text, vegaDataDir } from '@brokered-etl/pipeline-kit';
import { rawFlightShape } from '@brokered-etl/pipelines/flights';
import { runBench, table } from './bench.env';

const asText = (value: unknown) => (value === null || value === undefined ? null : typeof value === 'object' ? JSON.stringify(value) : String(value));

async function main() {
  const count = Number(process.argv[2] ?? 1_000_000);
  const source = JSON.parse(readFileSync(join(vegaDataDir(), 'flights-20k.json'), 'utf8')) as Array<Record<string, unknown>>;
  const rows = Array.from({ length: count }, (_, i) => source[i % source.length] ?? {});

  const handWritten = (row: Record<string, unknown>, sourceIndex: number) => ({
    sourceIndex,
    date: asText(row['date']),
    delay: asText(row['delay']),
    distance: asText(row['distance']),
    origin: asText(row['origin']),
    destination: asText(row['destination']),
  });
  const readFlight = recordReader(rawFlightShape, { computed: ['sourceIndex'], text: asText });
  // the same record with renamed source columns: the rename costs nothing extra
  const renamed = recordShape({ ...rawFlightShape, fields: { ...rawFlightShape.fields, origin: text({ from: 'Origin Airport' }) } });
  const readRenamed = recordReader(renamed, { computed: ['sourceIndex'], text: asText });
  const renamedRows = rows.map((row) => ({ date: row['date'], delay: row['delay'], distance: row['distance'], 'Origin Airport': row['origin'], destination: row['destination'] }));

  const RAW_LIMIT = 'hand-written literal (raw limit)';
  const cases: Array<[string, () => number]> = [
    [RAW_LIMIT, () => sum(rows, (row, i) => handWritten(row, i).sourceIndex)],
    ['recordReader(rawFlightShape)', () => sum(rows, (row, i) => readFlight(row, { sourceIndex: i }).sourceIndex)],
    ['recordReader, one renamed column', () => sum(renamedRows, (row, i) => readRenamed(row, { sourceIndex: i }).sourceIndex)],
  ];
  const best = new Map<string, number>();
  for (let round = 0; round < 5; round++) {
    for (const [label, run] of cases) {
      const started = performance.now();
      run();
      const ms = performance.now() - started;
      best.set(label, Math.min(best.get(label) ?? Infinity, ms));
    }
  }
  const limit = best.get(RAW_LIMIT) ?? NaN;
  console.log(table(`building ${count.toLocaleString('en')} extracted flight records (best of 5; CPU shared with other work: compare ratios)`, ['way', 'ms', 'ns / row', 'vs raw limit'], [...best].map(([label, ms]) => [label, ms.toFixed(0), ((ms * 1e6) / count).toFixed(0), `${(ms / limit).toFixed(2)}x`])));
}

function sum(rows: Array<Record<string, unknown>>, build: (row: Record<string, unknown>, i: number) => number): number {
  let total = 0;
  for (let i = 0; i < rows.length; i++) total += build(rows[i] ?? {}, i) & 1;
  return total;
}

runBench(main);
