import { createReadStream, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { EtlError } from '@brokered-etl/errors';
import { readCsv, resolveSourcePath, vegaDataDir } from '@brokered-etl/pipeline-kit';
import type { Airport } from './flights.shapes';

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

export const DEFAULT_AIRPORTS = 'airports.csv';

/** The airports file a param names, confined to the source roots, and its stats now. */
function statAirports(source: string, sourceRoots: readonly string[]): { path: string; stats: Stats } {
  const path = resolveSourcePath(source, sourceRoots, 'airports');
  try {
    return { path, stats: statSync(path) };
  } catch (cause) {
    throw new EtlError('SOURCE_NOT_FOUND', `airports file "${source}" is gone`, { cause });
  }
}

/** Which airports file a run's param names, and its size and mtime: what the flights transform's output depends on besides the record. */
export function airportsVersion(source: string | undefined, sourceRoots: readonly string[]): string {
  const { path, stats } = statAirports(source || DEFAULT_AIRPORTS, sourceRoots);
  return `${path}:${stats.size}:${stats.mtimeMs}`;
}

/**
 * Airport indexes by file, reloaded when the file changes (checked at most
 * once a second): fixing the reference data and redriving the rejected
 * records needs no worker restart. The `airports` param is a file like the
 * source: it must resolve inside the source roots. The transform asks for
 * every record, so within that second a param value is answered from memory:
 * resolving it (realpath of the file and every root) cost ~110 µs a record,
 * most of the transformer's CPU (a profile of bench:pipeline).
 */
export function createAirportReferences(sourceRoots: readonly string[], checkEveryMs = 1000) {
  const byPath = new Map<string, { mtimeMs: number; index: Promise<AirportIndex> }>();
  const bySource = new Map<string, { checkedAt: number; index: Promise<AirportIndex> }>();
  return async function airportsFor(source = DEFAULT_AIRPORTS): Promise<AirportIndex> {
    const now = Date.now();
    const recent = bySource.get(source);
    if (recent && now - recent.checkedAt < checkEveryMs) return recent.index;
    const { path, stats } = statAirports(source, sourceRoots);
    const { mtimeMs } = stats;
    let loaded = byPath.get(path);
    if (loaded?.mtimeMs !== mtimeMs) byPath.set(path, (loaded = { mtimeMs, index: loadAirports(path) }));
    bySource.set(source, { checkedAt: now, index: loaded.index });
    return loaded.index;
  };
}
