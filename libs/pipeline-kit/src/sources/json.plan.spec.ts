import { planFileSource } from './file-plan';
import { readFileRecords } from './file-source';
import { collect, expectWellFormed, failure, pick, readPlan, seeded, tempFolder, trickyText } from './source-files.fixture';

const folder = tempFolder();
afterAll(() => folder.remove());

/** A record with nesting, escapes and multi-byte text in keys and values. */
function record(random: () => number, i: number): Record<string, unknown> {
  return {
    id: i,
    [trickyText(random) || 'k']: trickyText(random),
    nested: { list: [trickyText(random), random() < 0.5 ? null : random() * 1e6, { deep: [[], {}] }], flag: random() < 0.5 },
    empty: random() < 0.3 ? '' : [],
  };
}

/** Serialises with random whitespace around elements and commas, and random indentation inside them. */
function writeArray(random: () => number, records: unknown[]): string {
  const space = () => pick(random, ['', ' ', '\n', '\t', '\r\n', '  \n  ']);
  const elements = records.map((r) => JSON.stringify(r, null, pick(random, [0, 2])));
  return `${space()}[${space()}${elements.join(`${space()},${space()}`)}${space()}]${space()}`;
}

describe('planFileSource + readFileSplit on JSON arrays', () => {
  it.each([0, 1, 2, 7, 40])('reassemble exactly the whole array of %i records, for any split size', async (count) => {
    for (const seed of [1, 2, 3]) {
      const random = seeded(seed * 100 + count);
      const records = Array.from({ length: count }, (_, i) => record(random, i));
      const path = folder.file(`gen-${count}-${seed}.json`, writeArray(random, records));
      for (const splitRecords of [1, 2, 3, 7, count, count + 5].filter((n) => n > 0)) {
        const plan = await planFileSource(path, 'json', { splitRecords });
        expectWellFormed(plan, splitRecords);
        expect(plan.totalRecords).toBe(count);
        expect(plan.splits).toHaveLength(Math.ceil(count / splitRecords));
        expect(await readPlan(path, 'json', plan)).toEqual(records);
      }
      // the whole-file reader agrees, so splitting changes nothing a pipeline sees
      expect(await collect(readFileRecords(path, 'json'))).toEqual(records);
    }
  });

  it('cuts byte ranges from the first element to the last, whitespace and commas only in between', async () => {
    const content = '\uFEFF [ {"a":"]"} ,\n{"b":"\\""},{"c":[1,{"d":2}]}\n]\n';
    const path = folder.file('ranges.json', content);
    const plan = await planFileSource(path, 'json', { splitRecords: 2 });
    const at = (text: string) => Buffer.byteLength(content.slice(0, content.indexOf(text)));
    expect(plan.splits.map((s) => s.range)).toEqual([
      { unit: 'bytes', start: at('{"a"'), end: at(',{"c"') },
      { unit: 'bytes', start: at('{"c"'), end: at('\n]') },
    ]);
    expect(await readPlan(path, 'json', plan)).toEqual([{ a: ']' }, { b: '"' }, { c: [1, { d: 2 }] }]);
  });

  it('splits arrays of scalars too', async () => {
    const path = folder.file('scalars.json', '[1, "two", true ,null,-3.5e2,"]",[],{}]');
    const plan = await planFileSource(path, 'json', { splitRecords: 3 });
    expect(await readPlan(path, 'json', plan)).toEqual([1, 'two', true, null, -350, ']', [], {}]);
  });

  it('plans only the first `limit` records and stops there', async () => {
    const records = Array.from({ length: 20 }, (_, i) => ({ i }));
    // everything after record 5 is garbage: the scan must not get there
    const path = folder.file('limit.json', `[${records.slice(0, 5).map((r) => JSON.stringify(r)).join(',')},{"i":5} this is not JSON`);
    const plan = await planFileSource(path, 'json', { splitRecords: 2, limit: 5 });
    expect(plan.totalRecords).toBe(5);
    expect(plan.splits.map((s) => s.recordCount)).toEqual([2, 2, 1]);
    expect(await readPlan(path, 'json', plan)).toEqual(records.slice(0, 5));
    expect((await planFileSource(path, 'json', { splitRecords: 2, limit: 0 })).splits).toEqual([]);
  });

  it('plans an empty array as no splits', async () => {
    const plan = await planFileSource(folder.file('empty.json', ' [ \n ] '), 'json', { splitRecords: 10 });
    expect(plan).toMatchObject({ totalRecords: 0, splits: [] });
  });

  describe('refuses a file that is not a whole JSON array, naming the file, the byte and the records before it', () => {
    const whole = '[{"a":"x]"},{"b":[1,2]},{"c":"}"}]';

    it('truncated inside a record', async () => {
      const cut = whole.slice(0, whole.indexOf('{"c"') + 4);
      const path = folder.file('cut-inside.json', cut);
      const err = await failure(planFileSource(path, 'json', { splitRecords: 2 }), 'SOURCE_UNREADABLE');
      expect(err.message).toBe(`${path} is truncated at byte ${cut.length} inside record 3 (2 complete records before it)`);
    });

    it('truncated inside a string that holds brackets', async () => {
      const cut = whole.slice(0, whole.indexOf('x]') + 2);
      const path = folder.file('cut-string.json', cut);
      const err = await failure(planFileSource(path, 'json', { splitRecords: 2 }), 'SOURCE_UNREADABLE');
      expect(err.message).toBe(`${path} is truncated at byte ${cut.length} inside record 1 (0 complete records before it)`);
    });

    it('truncated before the closing bracket', async () => {
      const cut = whole.slice(0, whole.indexOf('{"c"'));
      const path = folder.file('cut-after-comma.json', cut);
      const err = await failure(planFileSource(path, 'json', { splitRecords: 2 }), 'SOURCE_UNREADABLE');
      expect(err.message).toBe(`${path} is truncated at byte ${cut.length} before the array's closing ']' (2 complete records before it)`);
    });

    it.each([
      ['an object', '{"a":1}', "is not a JSON array: it starts with '{' at byte 0"],
      ['empty', '  \n', 'is empty, not a JSON array'],
      ['two elements without a comma', '[{} {}]', "expected ',' or ']' after record 1 at byte 4, found '{'"],
      ['a trailing comma', '[{},]', "expected record 2 at byte 4, found ']'"],
      ['content after the array', '[{}] []', "expected nothing after the array's closing ']' at byte 5, found '['"],
    ])('%s', async (_, content, message) => {
      const path = folder.file('bad.json', content);
      const err = await failure(planFileSource(path, 'json', { splitRecords: 2 }), 'SOURCE_UNREADABLE');
      expect(err.message).toContain(path);
      expect(err.message).toContain(message);
    });
  });

  it('leaves element syntax to the reader, which refuses it as SOURCE_UNREADABLE', async () => {
    const path = folder.file('bad-element.json', '[{"a":1},{"b":nope}]');
    const plan = await planFileSource(path, 'json', { splitRecords: 1 });
    expect(plan.totalRecords).toBe(2);
    const err = await failure(readPlan(path, 'json', plan), 'SOURCE_UNREADABLE');
    expect(err.message).toContain(path);
  });
});
