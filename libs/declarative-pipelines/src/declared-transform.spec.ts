import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtlError } from '@brokered-etl/errors';
import { readWholeSource, type TransformContext } from '@brokered-etl/pipeline-kit';
import { buildDeclaredPipeline } from './declared-pipeline';
import { parsePipelineFile } from './pipeline-file.reader';

const DECLARATION = `
name: readings
description: sensor readings
params:
  site: { description: the site the readings come from, default: north }
source: { file: readings.json, positionField: position }
extracted:
  name: RawReading
  fields:
    sensor: { from: Sensor ID }
    value: { from: Value (C) }
    at: {}
    labels: {}
    position: long
transformed:
  name: Reading
  fields:
    sensor: string
    celsius: double
    at: timestamp-millis
    labels: { type: array, items: string }
    place: { type: record, shape: { name: Place, fields: { site: string, row: long } } }
mapping:
  celsius: '$number(value)'
  labels: 'labels ? $split(labels, ",") : []'
  place: '{ "site": $params.site, "row": position }'
reject:
  - when: 'celsius < -90'
    reason: '"value " & $source.value & " is colder than anywhere on Earth"'
  - when: 'celsius > 60'
    reason: '"value " & $source.value & " is hotter than anywhere on Earth"'
  - when: 'sensor = "broken"'
    reason: '$undefinedFunction()'
target:
  collection: readings
  key: 'place.site & ":" & sensor & ":" & $string($toMillis(at))'
`;

const pipeline = buildDeclaredPipeline(parsePipelineFile('pipelines/readings.yaml', DECLARATION));
const context: TransformContext = { runId: 'run-1', params: { site: 'south' }, signal: new AbortController().signal };
const row = { 'Sensor ID': 's1', 'Value (C)': 21.5, at: '2026-12-01T10:00:00Z', labels: 'roof,east' };

async function transformed(input: Record<string, unknown>, ctx: TransformContext = context) {
  const fn = await pipeline.createTransform({ sourceRoots: [] });
  return fn(input, ctx);
}

async function rejection(input: Record<string, unknown>): Promise<EtlError> {
  const err = await transformed(input).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EtlError);
  expect((err as EtlError).code).toBe('VALIDATION_FAILED');
  return err as EtlError;
}

/** The extracted record of a source row, as the extractor builds it (renames, text, the position; read through the real source in movies.pipeline.spec.ts). */
async function extracted(overrides: Record<string, unknown> = {}, position = 7): Promise<Record<string, unknown>> {
  const plain = { ...row, ...overrides };
  return { sensor: text(plain['Sensor ID']), value: text(plain['Value (C)']), at: text(plain['at']), labels: text(plain['labels']), position };
}
const text = (v: unknown) => (v === undefined || v === null || v === '' ? null : String(v));

describe('a declared transform', () => {
  it('maps, types and keys a record: numbers from text, timestamps, arrays, nested records, $params', async () => {
    expect(await transformed(await extracted())).toEqual({
      _id: `south:s1:${Date.parse('2026-12-01T10:00:00Z')}`,
      sensor: 's1',
      celsius: 21.5,
      at: new Date('2026-12-01T10:00:00Z'),
      labels: ['roof', 'east'],
      place: { site: 'south', row: 7 },
    });
  });

  it('keeps a one-item array an array (JSONata gives a single value for a one-item sequence)', async () => {
    expect(await transformed(await extracted({ labels: 'roof' }))).toMatchObject({ labels: ['roof'] });
  });

  it('rejects with the first matching rule\'s reason, evaluated on the mapped record with $source', async () => {
    expect((await rejection(await extracted({ 'Value (C)': '-120' }))).message).toBe('value -120 is colder than anywhere on Earth');
    expect((await rejection(await extracted({ 'Value (C)': '75' }))).message).toBe('value 75 is hotter than anywhere on Earth');
  });

  it('a rule whose reason cannot be built still rejects, with the rule as written', async () => {
    expect((await rejection(await extracted({ 'Sensor ID': 'broken' }))).message).toBe('reject[2]: sensor = "broken"');
  });

  it('an expression that fails on this record\'s values rejects it alone, naming the field', async () => {
    expect((await rejection(await extracted({ 'Value (C)': 'warm' }))).message).toMatch(/^celsius: Unable to cast value to a number: "warm" \(mapping \$number\(value\)\)$/);
  });

  it('a value that does not fit the transformed shape rejects the record, naming the field', async () => {
    expect((await rejection(await extracted({ 'Sensor ID': null }))).message).toBe('sensor is missing');
    expect((await rejection(await extracted({ at: 'yesterday' }))).message).toBe('at "yesterday" is not a timestamp');
  });

  it('a key that comes out empty or not as text rejects the record', async () => {
    const keyless = buildDeclaredPipeline(parsePipelineFile('pipelines/k.yaml', DECLARATION.replace(/key: .*/, "key: 'missingLater'").replace('sensor: string', 'sensor: string\n    missingLater: { type: string, nullable: true }')));
    const fn = await keyless.createTransform({ sourceRoots: [] });
    await expect(fn(await extracted(), context)).rejects.toThrow('target.key gave nothing for this record, not a text or a number');
  });

  it('binds $sourceId, so a position key can name its file: the same position in two files is two documents', async () => {
    const byPosition = buildDeclaredPipeline(parsePipelineFile('pipelines/p.yaml', DECLARATION.replace(/key: .*/, `key: '$sourceId & ":" & $string($source.position)'`)));
    const fn = await byPosition.createTransform({ sourceRoots: [] });
    const record = await extracted({}, 3);
    const in2024 = await fn(record, { ...context, source: { id: '2024/readings.json' } });
    const in2025 = await fn(record, { ...context, source: { id: '2025/readings.json' } });
    expect([in2024._id, in2025._id]).toEqual(['2024/readings.json:3', '2025/readings.json:3']);
    // a run planned before sources had an identity: the basename of its source, else of the declared default file
    expect((await fn(record, { ...context, params: { ...context.params, source: '2024/readings.json' } }))._id).toBe('readings.json:3');
    expect((await fn(record, context))._id).toBe('readings.json:3');
  });

  it('documentOf is the transformed record itself: its _id was computed by the transformer', async () => {
    const out = await transformed(await extracted());
    expect(pipeline.target.documentOf(out)).toBe(out);
  });
});

describe('a declared source', () => {
  it('reads rows through the renames, keeps them text, and gives positionField the row\'s position in the file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'declared-source-'));
    try {
      writeFileSync(join(root, 'readings.json'), JSON.stringify([row, { ...row, 'Sensor ID': 's2', 'Value (C)': null }]));
      const read: unknown[] = [];
      for await (const record of readWholeSource(pipeline.source, {}, { splitRecords: 1, sourceRoots: [root] })) read.push(record);
      expect(read).toEqual([
        { sensor: 's1', value: '21.5', at: '2026-12-01T10:00:00Z', labels: 'roof,east', position: 0 },
        { sensor: 's2', value: null, at: '2026-12-01T10:00:00Z', labels: 'roof,east', position: 1 },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('an expression that never ends', () => {
  it('rejects the record after the evaluation limit instead of holding the transformer', async () => {
    const looping = buildDeclaredPipeline(
      parsePipelineFile('pipelines/loop.yaml', DECLARATION.replace("celsius: '$number(value)'", "celsius: '($forever := function($x) { $forever($x) }; $forever(1))'")),
    );
    const fn = await looping.createTransform({ sourceRoots: [] });
    const started = Date.now();
    await expect(fn(await extracted(), context)).rejects.toThrow(/^celsius: Evaluation timeout after 1000 milliseconds/);
    expect(Date.now() - started).toBeLessThan(4000);
  });
});
