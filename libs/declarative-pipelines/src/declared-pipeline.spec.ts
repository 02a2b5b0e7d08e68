import { EtlError } from '@brokered-etl/errors';
import { buildDeclaredPipeline } from './declared-pipeline';
import { parsePipelineFile } from './pipeline-file.reader';

/** A small valid declaration, as lines, so a test can change one line and know where the problem is. */
const VALID = [
  'name: stations', //                                        1
  'description: Weather stations, keyed by code', //          2
  'params:', //                                               3
  '  prefix: { description: text put before each key, default: st }',
  'source:', //                                               5
  '  file: stations.csv',
  'extracted:', //                                            7
  '  name: RawStation',
  '  fields:', //                                             9
  '    code: { from: Station Code }',
  '    height: { from: Height (m) }', //                      11
  '    tags: {}',
  'transformed:', //                                          13
  '  name: Station',
  '  fields:', //                                             15
  '    code: string',
  '    heightM: { type: double, nullable: true }', //         17
  '    tags: { type: array, items: string }',
  '    note: { type: string, nullable: true }', //            19
  'mapping:',
  "  heightM: 'height ? $number(height) : null'", //          21
  "  tags: '$split(tags, \";\")'",
  'reject:', //                                               23
  "  - when: 'heightM < 0'",
  "    reason: '\"height \" & $string(heightM) & \" is below sea level\"'", // 25
  'target:',
  '  collection: stations', //                                27
  "  key: '$params.prefix & \":\" & code'",
];

const build = (lines: string[] = VALID) => buildDeclaredPipeline(parsePipelineFile('pipelines/stations.yaml', lines.join('\n')));

/** The valid declaration with line `n` (1-based) replaced, or removed when `text` is undefined. */
const withLine = (n: number, text?: string) => VALID.flatMap((line, i) => (i === n - 1 ? (text === undefined ? [] : [text]) : [line]));

function refusal(lines: string[]): EtlError {
  try {
    build(lines);
  } catch (err) {
    expect(err).toBeInstanceOf(EtlError);
    expect((err as EtlError).code).toBe('CONFIG_INVALID');
    return err as EtlError;
  }
  throw new Error('expected the declaration to be refused');
}

describe('buildDeclaredPipeline', () => {
  it('gives a PipelineDefinition: name, params, Avro schemas from the declared shapes, target', () => {
    const pipeline = build();
    expect(pipeline).toMatchObject({ name: 'stations', description: 'Weather stations, keyed by code', declaredIn: 'pipelines/stations.yaml' });
    expect(Object.keys(pipeline.params)).toEqual(['source', 'format', 'limit', 'prefix']);
    expect(pipeline.params['source']).toMatchObject({ type: 'path', default: 'stations.csv' });
    expect(pipeline.extractedRecord).toEqual({
      type: 'record',
      name: 'RawStation',
      namespace: 'io.brokeredetl.stations',
      fields: [
        { name: 'code', type: ['null', 'string'], default: null },
        { name: 'height', type: ['null', 'string'], default: null },
        { name: 'tags', type: ['null', 'string'], default: null },
      ],
    });
    expect(pipeline.transformedRecord.fields.map((f) => [f.name, f.type])).toEqual([
      ['_id', 'string'],
      ['code', 'string'],
      ['heightM', ['null', 'double']],
      ['tags', { type: 'array', items: 'string' }],
      ['note', ['null', 'string']],
    ]);
    expect(pipeline.target.collection).toBe('stations');
  });

  it('names the file, line and field of a structural mistake', () => {
    expect(refusal(withLine(1, 'name: Stations')).message).toMatch(/^pipelines\/stations\.yaml:1 name: must be lowercase letters/);
    expect(refusal(withLine(2)).message).toBe("pipelines/stations.yaml description: is required");
    expect(refusal(withLine(6, '  file: stations.csv\n  fromat: csv')).message).toMatch(/^pipelines\/stations\.yaml:7 source: Unrecognized key: "fromat"/);
    expect(refusal(withLine(27, '  collection: system.views')).message).toMatch(/^pipelines\/stations\.yaml:27 target\.collection: must be a MongoDB collection name/);
    expect(refusal(withLine(4, '  source: { description: again }')).message).toMatch(/:4 params: source, format and limit are the file source's own params/);
  });

  it('checks the record shapes with pipeline-kit, pointing at the line', () => {
    expect(refusal(withLine(17, '    heightM: { type: float }')).message).toMatch(/^pipelines\/stations\.yaml:17: transformed: fields\.heightM/);
    expect(refusal(withLine(10, '    Station Code: {}')).message).toMatch(/not an Avro name.*from: 'Station Code'/);
    expect(refusal(withLine(19, '    note: { type: string, from: Note }')).message).toMatch(/^pipelines\/stations\.yaml:19 transformed\.fields\.note: `from` renames source columns/);
    expect(refusal(withLine(19, '    _id: string')).message).toMatch(/transformed\.fields\._id: _id is the document key: set it with target\.key/);
  });

  it('compiles every expression at load: a syntax error names the field and the character', () => {
    expect(refusal(withLine(21, "  heightM: '$number(height'")).message).toMatch(/^pipelines\/stations\.yaml:21 mapping\.heightM: not a JSONata expression: .* at character \d+$/);
    expect(refusal(withLine(25, '    reason: Height is below sea level')).message).toMatch(/:25 reject\[0\]\.reason: not a JSONata expression: .*plain text is quoted inside the expression/);
    expect(refusal(withLine(28, '  key: ""')).message).toMatch(/target\.key: must be a JSONata expression, not empty/);
  });

  it('refuses an expression that starts from a field the record does not have (JSONata would give nothing, silently)', () => {
    expect(refusal(withLine(21, "  heightM: '$number(heigth)'")).message).toMatch(/:21 mapping\.heightM: "heigth" is not a field of the extracted record RawStation \(it has: code, height, tags\)/);
    expect(refusal(withLine(24, "  - when: 'height < 0'")).message).toMatch(/:24 reject\[0\]\.when: "height" is not a field of the mapped record Station/);
    // names inside lambdas, filters and later path steps are relative to something else: not checked
    expect(() => build(withLine(22, "  tags: '$map($split(tags, \";\"), function($t) { $t.x ? $t : $t })'"))).not.toThrow();
  });

  it('maps every transformed field: its own mapping, the extracted field of its name, or null when it may be', () => {
    expect(refusal(withLine(21, "  height: '1'")).message).toMatch(/:21 mapping\.height: "height" is not a field of the transformed record Station/);
    expect(refusal(withLine(19, '    note: string')).message).toMatch(/:19 transformed\.fields\.note: has no mapping, and the extracted record has no field "note" to take: add mapping\.note/);
  });

  it('positionField must be a long field of the extracted record', () => {
    expect(refusal(withLine(6, '  file: stations.csv\n  positionField: code')).message).toMatch(/source\.positionField: "code" must be a field of the extracted record of type long/);
  });
});
