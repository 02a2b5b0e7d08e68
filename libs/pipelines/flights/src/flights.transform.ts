import { EtlError } from '@brokered-etl/errors';
import type { AirportIndex } from './airports.reference';
import type { Flight, RawFlight } from './flights.shapes';
import { greatCircleMiles } from './geo';

/** "2001/01/01 06:55" or "2001-01-01T06:55[:00]": a wall-clock time; anything else is rejected. */
const DATE = /^(\d{4})[/-](\d{2})[/-](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

export function parseLocalDate(value: string | null): { local: string; asUtc: Date } {
  const match = value ? DATE.exec(value.trim()) : null;
  if (!match) throw new EtlError('VALIDATION_FAILED', `date "${value}" is not "YYYY/MM/DD HH:mm"`);
  const [, y, mo, d, h, mi, s = '00'] = match.map((part) => part);
  const asUtc = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  // Date.UTC rolls 2001-02-30 over to March: a round trip catches impossible dates
  if (asUtc.getUTCMonth() !== Number(mo) - 1 || asUtc.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59) {
    throw new EtlError('VALIDATION_FAILED', `date "${value}" does not exist`);
  }
  return { local: `${y}-${mo}-${d}T${h}:${mi}${s === '00' ? '' : `:${s}`}`, asUtc };
}

function integer(field: string, value: string | null): number {
  const n = value === null || value.trim() === '' ? NaN : Number(value);
  if (!Number.isInteger(n)) throw new EtlError('VALIDATION_FAILED', `${field} "${value}" is not an integer`);
  return n;
}

/** Delay classes in minutes, as airlines report them (DOT counts ≥15 min as late). */
export function delayClass(minutes: number): 'early' | 'on-time' | 'minor' | 'moderate' | 'severe' {
  if (minutes < 0) return 'early';
  if (minutes < 15) return 'on-time';
  if (minutes < 60) return 'minor';
  if (minutes < 180) return 'moderate';
  return 'severe';
}

export function createFlightTransform(airports: AirportIndex) {
  const airport = (field: string, code: string | null) => {
    const found = code ? airports.get(code.trim()) : undefined;
    if (!found) throw new EtlError('VALIDATION_FAILED', `${field} airport "${code}" is not in airports.csv`);
    return found;
  };
  /** `source`: the source's identity (TransformContext.source), which keys the document with the record's position. */
  return (raw: RawFlight, source: string): Flight => {
    const departure = parseLocalDate(raw.date);
    const delayMinutes = integer('delay', raw.delay);
    const distanceMiles = integer('distance', raw.distance);
    if (distanceMiles <= 0) throw new EtlError('VALIDATION_FAILED', `distance ${distanceMiles} is not positive`);
    const origin = airport('origin', raw.origin);
    const destination = airport('destination', raw.destination);
    const greatCircle = greatCircleMiles(origin, destination);
    return {
      id: `${source}:${raw.sourceIndex}`,
      source,
      sourceIndex: raw.sourceIndex,
      departureLocal: departure.local,
      departure: departure.asUtc,
      delayMinutes,
      delayClass: delayClass(delayMinutes),
      distanceMiles,
      greatCircleMiles: Math.round(greatCircle * 10) / 10,
      distanceRatio: greatCircle > 0 ? Math.round((distanceMiles / greatCircle) * 1000) / 1000 : 0,
      route: `${origin.iata}-${destination.iata}`,
      origin,
      destination,
    };
  };
}
