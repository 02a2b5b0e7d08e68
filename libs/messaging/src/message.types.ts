/** What a stage handler sees of one consumed message, decoded. */
export interface InboundMessage<T> {
  value: T;
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  rawValue: Buffer | null;
  headers: Record<string, string>;
  rawHeaders: Array<{ key: string; value: Buffer | null }>;
  /** 1 on first delivery to this process, +1 per retry of a transient failure. */
  attempt: number;
}

/** A consumed message as it arrived, before decoding: the same for every attempt at it. */
export type MessageEnvelope = Omit<InboundMessage<never>, 'value' | 'attempt'>;

export interface OutboundMessage {
  key: string;
  value: Buffer;
  headers?: Record<string, string>;
}

export function headersToStrings(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) continue;
    const first = Array.isArray(value) ? value[0] : value;
    out[key] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

export function headersToList(headers: Record<string, unknown> | undefined): Array<{ key: string; value: Buffer | null }> {
  const out: Array<{ key: string; value: Buffer | null }> = [];
  for (const [key, value] of Object.entries(headers ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      out.push({ key, value: v === undefined || v === null ? null : Buffer.isBuffer(v) ? v : Buffer.from(String(v)) });
    }
  }
  return out;
}
