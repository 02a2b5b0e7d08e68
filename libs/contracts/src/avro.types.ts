/** A minimal structural type for Avro record schemas written as object literals. */
export interface AvroRecordSchema {
  type: 'record';
  name: string;
  namespace?: string;
  doc?: string;
  fields: AvroField[];
}

export interface AvroField {
  name: string;
  type: unknown;
  doc?: string;
  default?: unknown;
}
