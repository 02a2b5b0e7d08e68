import type { DeadLetterRecord } from '@brokered-etl/staging';

/** Bytes as text when printable, else base64 (as `etl dlq show --json`). */
const bytes = (b: Buffer | null) => (b === null ? null : /^[\x20-\x7e\t\n\r]*$/.test(b.toString('latin1')) ? b.toString('utf8') : `base64:${b.toString('base64')}`);

/**
 * A dead letter in a list: everything but the raw bytes; the rejected
 * record's content only when records are exposed (it is the data itself).
 */
export function deadLetterSummary(d: DeadLetterRecord, exposeRecords: boolean) {
  const rest: Partial<DeadLetterRecord> = { ...d };
  delete rest.key;
  delete rest.value;
  delete rest.headers;
  if (!exposeRecords) delete rest.record;
  return { ...rest, valueBytes: d.value === null ? null : d.value.length };
}

/** One dead letter in full: key, value and headers readable, when records are exposed; else its summary. */
export function deadLetterDetail(d: DeadLetterRecord, exposeRecords: boolean) {
  if (!exposeRecords) return deadLetterSummary(d, false);
  return { ...deadLetterSummary(d, true), key: bytes(d.key), value: bytes(d.value), headers: d.headers.map((h) => ({ key: h.key, value: bytes(h.value) })) };
}
