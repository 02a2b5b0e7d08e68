import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { readCsv, vegaDataDir } from '@brokered-etl/pipeline-kit';

export interface Airport {
  iata: string;
  name: string;
  city: string | null;
  state: string | null;
  country: string | null;
  latitude: number;
  longitude: number;
}

export type AirportIndex = ReadonlyMap<string, Airport>;

const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

/** Loads vega-datasets' airports.csv (3,376 rows) once per worker, keyed by IATA code. */
export async function loadAirports(path = join(vegaDataDir(), 'airports.csv')): Promise<AirportIndex> {
  const index = new Map<string, Airport>();
  for await (const row of readCsv(createReadStream(path), path)) {
    const iata = text(row['iata']);
    const latitude = Number(row['latitude']);
    const longitude = Number(row['longitude']);
    if (!iata || !Number.isFinite(latitude) || !Number.isFinite(longitude)) continue;
    index.set(iata, { iata, name: text(row['name']) ?? iata, city: text(row['city']), state: text(row['state']), country: text(row['country']), latitude, longitude });
  }
  return index;
}
