import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vegaDataDir } from '@brokered-etl/pipeline-kit';

/** A record of vega-datasets' flights-2k.json; untyped values, because patches break them on purpose. */
export type FlightRecord = Record<string, unknown>;

/** vega-datasets' flights-2k.json (2000 records), parsed afresh on every call. */
export function readFlights(): FlightRecord[] {
  return JSON.parse(readFileSync(join(vegaDataDir(), 'flights-2k.json'), 'utf8')) as FlightRecord[];
}

/**
 * flights-2k.json with the records at the given indexes patched, written as
 * `fileName` in a fresh temp dir; returns its path. The file name is the
 * caller's because it is part of every record id: `<temp dir>/<fileName>:<index>`,
 * the path inside the test roots' temp folder.
 */
export function writePatchedFlights(fileName: string, patches: Record<number, FlightRecord>): string {
  const flights = readFlights();
  for (const [index, patch] of Object.entries(patches)) {
    const record = flights[Number(index)];
    if (!record) throw new Error(`flights-2k.json has no record ${index}`);
    Object.assign(record, patch);
  }
  const path = join(mkdtempSync(join(tmpdir(), 'etl-flights-')), fileName);
  writeFileSync(path, JSON.stringify(flights));
  return path;
}
