import type { PartitionOffset, PartitionRange } from '@brokered-etl/messaging';

export type ResetTarget =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'datetime'; at: Date }
  | { kind: 'duration'; ms: number }
  | { kind: 'offset'; offset: string; partition?: number };

export interface PlanRow {
  topic: string;
  partition: number;
  /** Committed offset now ("-1": none). */
  current: string;
  next: string;
  /** Messages that will be processed again (negative: skipped forward). */
  reprocess: number;
}

/**
 * Current → new offset per partition, and how many messages that replays.
 * Pure: the caller reads offsets from Kafka, this decides.
 */
export function planReset(input: { target: ResetTarget; ranges: PartitionRange[]; committed: PartitionOffset[]; atTime?: PartitionOffset[] }): PlanRow[] {
  const committedOf = (topic: string, partition: number) => input.committed.find((c) => c.topic === topic && c.partition === partition)?.offset ?? '-1';
  const rows: PlanRow[] = [];
  for (const range of input.ranges) {
    const current = committedOf(range.topic, range.partition);
    const t = input.target;
    if (t.kind === 'offset' && t.partition !== undefined && t.partition !== range.partition) continue;
    let next: bigint;
    switch (t.kind) {
      case 'earliest':
        next = BigInt(range.low);
        break;
      case 'latest':
        next = BigInt(range.high);
        break;
      case 'offset':
        next = BigInt(t.offset);
        break;
      case 'datetime':
      case 'duration': {
        const found = input.atTime?.find((o) => o.topic === range.topic && o.partition === range.partition)?.offset;
        next = found === undefined || found === '-1' ? BigInt(range.high) : BigInt(found);
        break;
      }
    }
    // clamp into what the partition still holds
    if (next < BigInt(range.low)) next = BigInt(range.low);
    if (next > BigInt(range.high)) next = BigInt(range.high);
    const from = current === '-1' ? BigInt(range.low) : BigInt(current);
    rows.push({ topic: range.topic, partition: range.partition, current, next: next.toString(), reprocess: Number(from - next) });
  }
  return rows.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/** ISO-8601 durations as kafka-consumer-groups takes them: PnDTnHnMnS (e.g. PT1H, P1DT30M). */
export function parseIsoDuration(text: string): number {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text.trim());
  if (!match || text.trim() === 'P' || text.trim().endsWith('T')) throw new Error(`"${text}" is not an ISO-8601 duration like PT1H, PT30M or P1DT2H`);
  const [, d = '0', h = '0', m = '0', s = '0'] = match;
  return ((Number(d) * 24 + Number(h)) * 60 + Number(m)) * 60_000 + Number(s) * 1000;
}
