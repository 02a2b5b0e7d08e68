import { EtlError } from '@brokered-etl/errors';
import { array, avroSchemaOf, boolean, double, int, long, record, recordShape, string, text, timestampMillis, type RecordOf } from './record-shape';
import { recordReader, sourceText } from './record-shape.reader';
import { parseRecordShape } from './record-shape.schema';

const NS = 'io.example.trips';

const station = recordShape({
  name: 'Station',
  namespace: NS,
  fields: { code: string(), city: string({ nullable: true }), latitude: double(), longitude: double() },
});

const trip = recordShape({
  name: 'Trip',
  namespace: NS,
  doc: 'one trip',
  fields: {
    id: string({ doc: 'the target _id' }),
    seq: long(),
    seats: int({ from: 'Seat Count' }),
    departure: timestampMillis({ doc: 'UTC' }),
    cancelled: boolean({ default: false }),
    kind: string({ default: 'Trip' }),
    note: text({ from: 'Note (free text)' }),
    stops: array(double(), { doc: '[km, …]' }),
    from: record(station),
    to: record(station, { nullable: true }),
    legs: array(record(recordShape({ name: 'Leg', fields: { minutes: int() } }))),
  },
});

describe('record shape → Avro', () => {
  it('keeps field order, docs, defaults and namespaces; a reused record is named, not redefined', () => {
    expect(avroSchemaOf(trip)).toEqual({
      type: 'record',
      name: 'Trip',
      namespace: NS,
      doc: 'one trip',
      fields: [
        { name: 'id', type: 'string', doc: 'the target _id' },
        { name: 'seq', type: 'long' },
        { name: 'seats', type: 'int' },
        { name: 'departure', type: { type: 'long', logicalType: 'timestamp-millis' }, doc: 'UTC' },
        { name: 'cancelled', type: 'boolean', default: false },
        { name: 'kind', type: 'string', default: 'Trip' },
        { name: 'note', type: ['null', 'string'], default: null },
        { name: 'stops', type: { type: 'array', items: 'double' }, doc: '[km, …]' },
        {
          name: 'from',
          type: {
            type: 'record',
            name: 'Station',
            namespace: NS,
            fields: [
              { name: 'code', type: 'string' },
              { name: 'city', type: ['null', 'string'], default: null },
              { name: 'latitude', type: 'double' },
              { name: 'longitude', type: 'double' },
            ],
          },
        },
        { name: 'to', type: ['null', 'Station'], default: null },
        { name: 'legs', type: { type: 'array', items: { type: 'record', name: 'Leg', fields: [{ name: 'minutes', type: 'int' }] } } },
      ],
    });
  });

  it('writes doc before default, as the registered schemas do (same text, same registry version)', () => {
    const shape = recordShape({ name: 'A', fields: { a: string({ doc: 'd', default: 'x' }) } });
    expect(JSON.stringify(avroSchemaOf(shape))).toBe('{"type":"record","name":"A","fields":[{"name":"a","type":"string","doc":"d","default":"x"}]}');
  });

  it('puts null second when a nullable field defaults to something else (a union default matches its first branch)', () => {
    const shape = recordShape({ name: 'A', fields: { n: int({ nullable: true, default: 3 }) } });
    expect(avroSchemaOf(shape).fields[0]).toEqual({ name: 'n', type: ['int', 'null'], default: 3 });
  });

  it('names a reused record by full name when its namespace differs from the enclosing one', () => {
    const point = recordShape({ name: 'Point', namespace: 'geo', fields: { x: double() } });
    const shape = recordShape({ name: 'Line', namespace: 'draw', fields: { a: record(point), b: record(point) } });
    expect(avroSchemaOf(shape).fields[1]).toEqual({ name: 'b', type: 'geo.Point' });
  });

  it('refuses two different records under one name', () => {
    const a = recordShape({ name: 'P', fields: { x: double() } });
    const b = recordShape({ name: 'P', fields: { y: double() } });
    expect(() => avroSchemaOf(recordShape({ name: 'R', fields: { a: record(a), b: record(b) } }))).toThrow('two different records are named P');
  });

  it('refuses a field name Avro refuses, pointing at `from`', () => {
    expect(() => recordShape({ name: 'R', fields: { 'Flight Number': text() } })).toThrow(`field "Flight Number" is not an Avro name; name it in camelCase and map the source's name with { from: 'Flight Number' }`);
    expect(() => recordShape({ name: 'R', fields: JSON.parse('{"__proto__":{"type":"text"}}') })).toThrow('field "__proto__" is not an Avro name');
    expect(() => recordShape({ name: 'my-record', fields: { a: text() } })).toThrow('record name "my-record" is not an Avro name');
    expect(() => recordShape({ name: 'R', namespace: 'a..b', fields: { a: text() } })).toThrow('namespace "a..b"');
  });
});

describe('record shape → TypeScript type', () => {
  it('derives the record type from the declaration', () => {
    type Trip = RecordOf<typeof trip>;
    const value: Trip = {
      id: 'x',
      seq: 1,
      seats: 2,
      departure: new Date(0),
      cancelled: false,
      kind: 'Trip',
      note: null,
      stops: [1.5],
      from: { code: 'A', city: null, latitude: 0, longitude: 0 },
      to: null,
      legs: [{ minutes: 3 }],
    };
    // @ts-expect-error seats is an int, not text
    const wrong: Trip['seats'] = '2';
    // @ts-expect-error a station's code is not nullable
    const notNull: Trip['from']['code'] = null;
    expect([value.id, wrong, notNull]).toEqual(['x', '2', null]);
  });
});

describe('recordReader: a source row → a record, through the renames', () => {
  const raw = recordShape({
    name: 'RawTrip',
    fields: { sourceIndex: long(), flightNumber: text({ from: 'Flight Number' }), delay: text(), when: text() },
  });

  it('reads each field from its source name, as text, and takes computed fields beside the row', () => {
    const read = recordReader(raw, { computed: ['sourceIndex'] });
    expect(read.columns).toEqual(['Flight Number', 'delay', 'when']);
    expect(read({ 'Flight Number': 'AA 12', delay: -3, when: new Date(Date.UTC(2001, 0, 1)), extra: 'ignored' }, { sourceIndex: 7 })).toEqual({
      sourceIndex: 7,
      flightNumber: 'AA 12',
      delay: '-3',
      when: '2001-01-01T00:00:00.000Z',
    });
  });

  it('keeps a missing, null or empty source value as null text: the transformer decides', () => {
    const read = recordReader(raw, { computed: ['sourceIndex'] });
    expect(read({ delay: '', when: null }, { sourceIndex: 0 })).toEqual({ sourceIndex: 0, flightNumber: null, delay: null, when: null });
  });

  it('takes the pipeline\'s own text conversion', () => {
    const read = recordReader(raw, { computed: ['sourceIndex'], text: (v) => (v === undefined ? null : `<${String(v)}>`) });
    expect(read({ delay: '' }, { sourceIndex: 0 })).toMatchObject({ delay: '<>', flightNumber: null });
  });

  it('reads any source name, quotes and backslashes included', () => {
    const odd = `it's "odd" \\ ${'`'}\${x}`;
    const read = recordReader(recordShape({ name: 'R', fields: { odd: text({ from: odd }) } }));
    expect(read({ [odd]: 'yes' })).toEqual({ odd: 'yes' });
  });

  it('refuses a computed field the shape does not have', () => {
    expect(() => recordReader(raw, { computed: ['nope' as 'sourceIndex'] })).toThrow('record RawTrip has no field "nope" to compute');
  });

  it('converts typed fields, nested records and arrays, with defaults for absent values', () => {
    const read = recordReader(trip);
    const out = read({
      id: 'T1',
      seq: 12n,
      'Seat Count': ' 180 ',
      departure: '2001-01-01T06:55:00Z',
      cancelled: 'TRUE',
      stops: [1, '2.5'],
      from: { code: 'LAX', latitude: '33.9', longitude: -118.4 },
      legs: [{ minutes: 90 }],
    });
    expect(out).toEqual({
      id: 'T1',
      seq: 12,
      seats: 180,
      departure: new Date('2001-01-01T06:55:00Z'),
      cancelled: true,
      kind: 'Trip',
      note: null,
      stops: [1, 2.5],
      from: { code: 'LAX', city: null, latitude: 33.9, longitude: -118.4 },
      to: null,
      legs: [{ minutes: 90 }],
    });
  });

  it.each([
    [{ 'Seat Count': 'many' }, 'seats (source "Seat Count") "many" is not an int (32-bit integer)'],
    [{ 'Seat Count': 2 ** 31 }, 'seats (source "Seat Count") 2147483648 is not an int (32-bit integer)'],
    [{ seq: 2 ** 53 }, 'seq 9007199254740992 is not a long (safe integer)'],
    [{ departure: 'soon' }, 'departure "soon" is not a timestamp'],
    [{ cancelled: 'yes' }, 'cancelled "yes" is not true or false'],
    [{ stops: [1, 'x'] }, 'stops[1] "x" is not a number'],
    [{ stops: 'x' }, 'stops "x" is not an array'],
    [{ from: { code: 'A', latitude: 1 } }, 'from.longitude is missing'],
    [{ legs: [{ minutes: 1.5 }] }, 'legs[0].minutes 1.5 is not an int (32-bit integer)'],
    [{ id: undefined }, 'id is missing'],
  ])('rejects %p with VALIDATION_FAILED naming the field', (over, reason) => {
    const row = { id: 'T1', seq: 1, 'Seat Count': 1, departure: 0, stops: [], from: { code: 'A', latitude: 1, longitude: 2 }, legs: [], ...over };
    const attempt = () => recordReader(trip)(row);
    expect(attempt).toThrow(EtlError);
    expect(attempt).toThrow(reason);
  });

  it('sourceText: numbers, booleans, BigInt and objects as text', () => {
    expect([1.5, true, 3n, { a: 1 }, 'x'].map(sourceText)).toEqual(['1.5', 'true', '3', '{"a":1}', 'x']);
  });
});

describe('parseRecordShape: a shape that arrives as data (YAML, JSON)', () => {
  it('round-trips through JSON to the same Avro schema', () => {
    const parsed = parseRecordShape(JSON.parse(JSON.stringify(trip)));
    expect(avroSchemaOf(parsed)).toEqual(avroSchemaOf(trip));
  });

  it('reads rows into a shape known only at run time, its computed fields optional', () => {
    const shape = parseRecordShape({ name: 'Row', fields: { position: { type: 'long' }, city: { type: 'text', from: 'City Name' } } });
    const computed: string[] = ['position'];
    const read = recordReader(shape, { computed });
    const out: Record<string, unknown> = read({ 'City Name': 'Lyon' }, { position: 3 });
    expect(out).toEqual({ position: 3, city: 'Lyon' });
    expect(read({})).toEqual({ position: undefined, city: null });
  });

  it.each([
    [{ name: 'R', fields: { a: { type: 'float' } } }, 'fields.a.type'],
    [{ name: 'R', fields: { a: { type: 'int', default: 'x' } } }, 'fields.a.default'],
    [{ name: 'R', fields: { a: { type: 'text', default: 'x' } } }, 'fields.a'],
    [{ name: 'R', fields: {} }, 'fields: a record needs at least one field'],
    [{ name: 'R', fields: { a: { type: 'record', shape: { name: 'S', fields: { 'x y': { type: 'int' } } } } } }, 'record S: field "x y" is not an Avro name'],
  ])('refuses %j with CONFIG_INVALID naming where', (data, where) => {
    const attempt = () => parseRecordShape(data, 'pipelines/trips.yaml');
    expect(attempt).toThrow(EtlError);
    expect(attempt).toThrow(`pipelines/trips.yaml: ${where}`);
  });
});
