import type { AvroRecordSchema } from '@brokered-etl/contracts';
import { INLINE_LIMITS, INLINE_RECORDS_PARAM, parseInlineRecords, sourceForRun, withoutInlineRecords } from './inline-input';
import type { PipelineSource } from './source-split.types';

const schema: AvroRecordSchema = {
  type: 'record',
  name: 'RawThing',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};
const inline = (records: unknown) => ({ [INLINE_RECORDS_PARAM]: JSON.stringify(records) });
const fileSource: PipelineSource<Record<string, unknown>> = {
  plan: async () => ({ fingerprint: 'file', totalRecords: 2, splits: [] }),
  read: () => (async function* () {
    yield { id: 'from-file' };
  })(),
};
const collect = async <T>(items: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

describe('inline records', () => {
  it('are checked against the extracted record; absent fields take their default', () => {
    expect(parseInlineRecords(schema, inline([{ id: 'a' }, { id: 'b', note: 'x' }]))).toEqual([{ id: 'a', note: null }, { id: 'b', note: 'x' }]);
    expect(parseInlineRecords(schema, { source: 'f.json' })).toBeUndefined();
  });

  it.each([
    ['not JSON', { [INLINE_RECORDS_PARAM]: '[{' }, /is not JSON/],
    ['an empty array', inline([]), /1 to 100 records/],
    ['too many records', inline(Array.from({ length: INLINE_LIMITS.records + 1 }, (_, i) => ({ id: String(i) }))), /1 to 100 records/],
    ['too many bytes', inline([{ id: 'x'.repeat(INLINE_LIMITS.jsonBytes) }]), /larger than 32768 bytes/],
    ['a record that is not an object', inline([{ id: 'a' }, 5]), /record 1 is not an object/],
    ['a field the record does not have', inline([{ id: 'a', colour: 'red' }]), /record 0 has no field "colour" in RawThing; its fields: id, note/],
    ['a missing required field', inline([{ note: 'x' }]), /record 0 does not fit RawThing: bad or missing id/],
    ['a value of the wrong type', inline([{ id: 7 }]), /bad or missing id/],
  ])('%s → BAD_PARAMS naming the param', (_what, params, message) => {
    expect(() => parseInlineRecords(schema, params)).toThrow(expect.objectContaining({ code: 'BAD_PARAMS', message: expect.stringMatching(message), details: { field: INLINE_RECORDS_PARAM } }));
  });

  it('a run with them plans one split and reads them; a run without reads its source', async () => {
    const source = sourceForRun(fileSource, schema);
    const params = { ...inline([{ id: 'a' }, { id: 'b' }]) };
    const plan = await source.plan(params, { splitRecords: 1000, sourceRoots: [] });
    expect(plan).toMatchObject({ totalRecords: 2, splits: [{ splitSeq: 0, firstRecordIndex: 0, recordCount: 2, range: { unit: 'rows', start: 0, end: 2 } }] });
    // the records are the source: the same ones sent again name the same source, others another
    expect(plan.sourceId).toMatch(/^inline:[0-9a-f]{16}$/);
    expect((await source.plan({ ...params }, { splitRecords: 1000, sourceRoots: [] })).sourceId).toBe(plan.sourceId);
    expect((await source.plan(inline([{ id: 'c' }]), { splitRecords: 1000, sourceRoots: [] })).sourceId).not.toBe(plan.sourceId);
    expect(await collect(source.read(params, plan.splits[0], plan.fingerprint, { sourceRoots: [] }))).toEqual([{ id: 'a', note: null }, { id: 'b', note: null }]);
    expect(() => source.read(inline([{ id: 'c' }]), plan.splits[0], plan.fingerprint, { sourceRoots: [] })).toThrow(expect.objectContaining({ code: 'SOURCE_CHANGED' }));
    expect((await source.plan({}, { splitRecords: 1000, sourceRoots: [] })).fingerprint).toBe('file');
    expect(withoutInlineRecords({ ...params, source: 's' })).toEqual({ source: 's' });
  });
});
