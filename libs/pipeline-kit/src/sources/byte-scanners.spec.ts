import type { ByteSink } from './byte-scan';
import { CsvRowScanner } from './csv-row.scanner';
import { JsonArrayScanner } from './json-array.scanner';
import { seeded } from './source-files.fixture';

/** Feeds `content` to a scanner in the given chunk sizes; returns the boundaries (and header) it reported, or its error. */
function scan(make: (out: string[]) => ByteSink, content: Buffer, sizes: () => number): string[] {
  const out: string[] = [];
  const sink = make(out);
  try {
    let offset = 0;
    while (offset < content.length) {
      const chunk = content.subarray(offset, offset + sizes());
      if (!sink.push(chunk, offset)) return out;
      offset += chunk.length;
    }
    sink.end(content.length);
  } catch (err) {
    out.push(`error: ${(err as Error).message}`);
  }
  return out;
}

const json = (out: string[]) =>
  new JsonArrayScanner('f.json', (start, end) => {
    out.push(`${start}-${end}`);
    return true;
  });
const csv = (out: string[]) =>
  new CsvRowScanner(
    'f.csv',
    (header) => {
      out.push(`header ${header.toString()}`);
      return true;
    },
    (start, end) => {
      out.push(`${start}-${end}`);
      return true;
    },
  );

// Files in the specs fit in one read; these cases make every state cross a chunk edge.
describe('byte scanners keep their state across chunk edges', () => {
  const jsonCases = [
    '\uFEFF[ {"a":"x\\"]}"} ,\r\n {"b":[1,{"c":"日本"}]},"s\\\\",12 , true,null]\n',
    '[{"a":"x]"},{"b":[1,2]},{"c":"}',
    '[{"a":1},',
    '[{} {}]',
  ];
  const csvCases = [
    '\uFEFF\r\n"id","te""xt"\r\n1,"two\r\nlines"\r\n\r\n2,"say ""hi"""\r\n3,日本🛫\r\n\n4,"",\r\n5,x',
    'a,b\n1,"open\nquote',
    'a,b\n1,"x"\r2\n',
    'a,b\n1,x"y\n',
  ];

  it.each(jsonCases.map((c) => [c]))('JSON %j', (content) => {
    const bytes = Buffer.from(content);
    const whole = scan(json, bytes, () => bytes.length);
    expect(scan(json, bytes, () => 1)).toEqual(whole);
    const random = seeded(bytes.length);
    for (let i = 0; i < 20; i++) expect(scan(json, bytes, () => 1 + Math.floor(random() * 5))).toEqual(whole);
  });

  it.each(csvCases.map((c) => [c]))('CSV %j', (content) => {
    const bytes = Buffer.from(content);
    const whole = scan(csv, bytes, () => bytes.length);
    expect(scan(csv, bytes, () => 1)).toEqual(whole);
    const random = seeded(bytes.length);
    for (let i = 0; i < 20; i++) expect(scan(csv, bytes, () => 1 + Math.floor(random() * 5))).toEqual(whole);
  });

  it('finds the boundaries a reader needs', () => {
    const bytes = Buffer.from(csvCases[0]);
    const rows = scan(csv, bytes, () => 1);
    expect(rows[0]).toBe('header "id","te""xt"');
    expect(
      rows.slice(1).map((range) => {
        const [start, end] = range.split('-').map(Number);
        return bytes.subarray(start, end).toString();
      }),
    ).toEqual(['1,"two\r\nlines"', '2,"say ""hi"""', '3,日本🛫', '4,"",', '5,x']);
  });
});
