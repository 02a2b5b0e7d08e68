import { parse } from 'csv-parse/sync';
import { CSV_PARSE_OPTIONS } from './csv.source';
import { planFileSource } from './file-plan';
import { readFileRecords } from './file-source';
import { collect, expectWellFormed, failure, pick, readPlan, seeded, tempFolder, trickyText } from './source-files.fixture';

const folder = tempFolder();
afterAll(() => folder.remove());

const HEADER = ['id', 'näme', 'note, quoted'];

function quoted(value: string): string {
  return /[",\r\n]/.test(value) || value === '' ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Rows with quoted line breaks, doubled quotes and multi-byte text, empty lines between some, a chosen line ending. */
function writeCsv(random: () => number, rows: string[][], eol: string): string {
  const lines = [HEADER.map(quoted).join(',')];
  for (const row of rows) {
    if (random() < 0.2) lines.push('');
    lines.push(row.map(quoted).join(','));
  }
  return lines.join(eol) + pick(random, ['', eol, eol + eol]);
}

describe('planFileSource + readFileSplit on CSV files', () => {
  it.each([0, 1, 2, 7, 40])('reassemble exactly the whole file of %i rows, for any split size', async (count) => {
    for (const [seed, eol] of [[1, '\n'], [2, '\r\n'], [3, '\r\n']] as const) {
      const random = seeded(seed * 100 + count);
      const rows = Array.from({ length: count }, (_, i) => [String(i), trickyText(random), trickyText(random)]);
      const content = writeCsv(random, rows, eol);
      const path = folder.file(`gen-${count}-${seed}.csv`, content);
      const expected = parse(content, { ...CSV_PARSE_OPTIONS, columns: true });
      expect(expected).toHaveLength(count);
      for (const splitRecords of [1, 2, 3, 7, count, count + 5].filter((n) => n > 0)) {
        const plan = await planFileSource(path, 'csv', { splitRecords });
        expectWellFormed(plan, splitRecords);
        expect(plan.totalRecords).toBe(count);
        expect(await readPlan(path, 'csv', plan)).toEqual(expected);
      }
      expect(await collect(readFileRecords(path, 'csv'))).toEqual(expected);
    }
  });

  it('reads quoted line breaks, CRLF, a byte order mark and empty lines before the header', async () => {
    const content = '\uFEFF\r\n\r\n"id","text"\r\n1,"two\r\nlines"\r\n\r\n2,"say ""hi"""\r\n3,日本🛫\r\n';
    const path = folder.file('crlf.csv', content);
    const plan = await planFileSource(path, 'csv', { splitRecords: 2 });
    expect(plan.splits.map((s) => s.recordCount)).toEqual([2, 1]);
    expect(await readPlan(path, 'csv', plan)).toEqual([
      { id: '1', text: 'two\r\nlines' },
      { id: '2', text: 'say "hi"' },
      { id: '3', text: '日本🛫' },
    ]);
  });

  it('plans only the first `limit` rows and stops there', async () => {
    // a broken quote after row 3: the scan must not reach it
    const path = folder.file('limit.csv', 'a,b\n1,x\n2,y\n3,z\n4,bad"quote\n');
    const plan = await planFileSource(path, 'csv', { splitRecords: 2, limit: 3 });
    expect(plan.splits.map((s) => s.recordCount)).toEqual([2, 1]);
    expect(await readPlan(path, 'csv', plan)).toEqual([
      { a: '1', b: 'x' },
      { a: '2', b: 'y' },
      { a: '3', b: 'z' },
    ]);
    expect((await planFileSource(path, 'csv', { splitRecords: 2, limit: 0 })).splits).toEqual([]);
  });

  it('plans a header-only or empty file as no splits', async () => {
    expect((await planFileSource(folder.file('header-only.csv', 'a,b\r\n'), 'csv', { splitRecords: 5 })).splits).toEqual([]);
    expect((await planFileSource(folder.file('empty.csv', ''), 'csv', { splitRecords: 5 })).splits).toEqual([]);
  });

  it('refuses a header without the expected columns, naming the missing ones and the ones found', async () => {
    const path = folder.file('airports.csv', 'iata,"name",city\nLAX,Los Angeles,LA\n');
    const err = await failure(planFileSource(path, 'csv', { splitRecords: 5 }, { expectedColumns: ['iata', 'latitude', 'longitude', 'name'] }), 'SOURCE_UNREADABLE');
    expect(err.message).toBe(`${path} lacks the expected column(s) "latitude", "longitude"; its header has "iata", "name", "city"`);
    const ok = await planFileSource(path, 'csv', { splitRecords: 5 }, { expectedColumns: ['city', 'iata'] });
    expect(ok.totalRecords).toBe(1);
  });

  it('refuses an empty file that should have columns', async () => {
    const path = folder.file('no-header.csv', '\n\n');
    const err = await failure(planFileSource(path, 'csv', { splitRecords: 5 }, { expectedColumns: ['iata'] }), 'SOURCE_UNREADABLE');
    expect(err.message).toBe(`${path} lacks the expected column(s) "iata"; its header has (none)`);
  });

  it('refuses a file truncated inside a quoted field, naming the byte and the rows before it', async () => {
    const content = 'a,b\n1,x\n2,"open\nquote';
    const path = folder.file('truncated.csv', content);
    const err = await failure(planFileSource(path, 'csv', { splitRecords: 5 }), 'SOURCE_UNREADABLE');
    expect(err.message).toBe(`${path} is truncated at byte ${content.length} inside a quoted field of record 2 (1 complete records before it)`);
  });

  it.each([
    ['a quote inside an unquoted field', 'a,b\n1,x"y\n', `a quote inside an unquoted field ('"') at byte 7 in record 1`],
    ['text after a closing quote', 'a,b\n1,"x"y\n', `a character after a closing quote ('y') at byte 9 in record 1`],
    ['a quote inside an unquoted header', 'a,b"\n1,2\n', `a quote inside an unquoted field ('"') at byte 3 in the header row`],
  ])('refuses %s, as csv-parse would', async (_, content, message) => {
    const path = folder.file('bad-quote.csv', content);
    const err = await failure(planFileSource(path, 'csv', { splitRecords: 5 }), 'SOURCE_UNREADABLE');
    expect(err.message).toBe(`${path} is not readable CSV: ${message}`);
    expect(() => parse(content, CSV_PARSE_OPTIONS)).toThrow();
  });

  it('leaves the column count to the reader, which refuses a ragged row as SOURCE_UNREADABLE', async () => {
    const path = folder.file('ragged.csv', 'a,b\n1,2\n3\n');
    const plan = await planFileSource(path, 'csv', { splitRecords: 1 });
    const err = await failure(readPlan(path, 'csv', plan), 'SOURCE_UNREADABLE');
    expect(err.message).toContain(path);
  });
});
