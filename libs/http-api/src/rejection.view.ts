import type { Rejection } from '@brokered-etl/staging';

/** A rejected record in a run's detail: why and where always, the record's content only when records are exposed. */
export function rejectionView(r: Rejection, exposeRecords: boolean): Omit<Rejection, 'record'> & { record?: string } {
  if (exposeRecords) return r;
  const rest: Omit<Rejection, 'record'> & { record?: string } = { ...r };
  delete rest.record;
  return rest;
}
