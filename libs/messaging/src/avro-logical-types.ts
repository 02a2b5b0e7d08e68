import avsc from 'avsc';

/**
 * avsc ignores logicalType unless told: without this, timestamp-millis fields
 * would round-trip as bare numbers. With it, a Date in is a Date out.
 */
class TimestampMillisType extends avsc.types.LogicalType {
  override _fromValue(value: number): Date {
    return new Date(value);
  }
  override _toValue(value: unknown): number | undefined {
    if (value instanceof Date) return value.getTime();
    return typeof value === 'number' ? value : undefined;
  }
  override _resolve(type: avsc.Type): ((value: number) => Date) | undefined {
    if (avsc.Type.isType(type, 'long', 'logical:timestamp-millis')) return (value) => this._fromValue(value);
    return undefined;
  }
}

export const LOGICAL_TYPES = { 'timestamp-millis': TimestampMillisType };
