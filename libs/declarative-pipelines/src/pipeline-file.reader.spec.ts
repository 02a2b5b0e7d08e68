import { EtlError } from '@brokered-etl/errors';
import { parsePipelineFile } from './pipeline-file.reader';

const refusal = (text: string) => {
  try {
    parsePipelineFile('pipelines/x.yaml', text);
  } catch (err) {
    return err as EtlError;
  }
  throw new Error('expected a refusal');
};

describe('parsePipelineFile', () => {
  it('reads YAML and JSON, and knows the line of any path (or of its nearest parent)', () => {
    const yaml = parsePipelineFile('pipelines/x.yaml', 'name: x\ntarget:\n  collection: xs\n  key: id\n');
    expect(yaml.data).toEqual({ name: 'x', target: { collection: 'xs', key: 'id' } });
    expect(yaml.lineOf(['target', 'key'])).toBe(4);
    expect(yaml.lineOf(['target', 'missing', 'deeper'])).toBe(3);
    const json = parsePipelineFile('pipelines/x.json', '{\n  "name": "x",\n  "mapping": {\n    "a": "b"\n  }\n}');
    expect(json.data).toEqual({ name: 'x', mapping: { a: 'b' } });
    expect(json.lineOf(['mapping', 'a'])).toBe(4);
  });

  it('refuses bad YAML with the file, line and column', () => {
    const err = refusal('name: x\nmapping:\n  a: b ? c : d\n');
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(/^pipelines\/x\.yaml:3: not valid YAML\/JSON: .+ \(column \d+\)$/);
  });

  it('refuses a key written twice instead of keeping the last', () => {
    expect(refusal('name: x\nname: y\n').message).toMatch(/^pipelines\/x\.yaml:2: not valid YAML\/JSON: Map keys must be unique/);
  });

  it('refuses aliases (no expansion bombs) and files far larger than a declaration', () => {
    expect(refusal('a: &a [1, 2]\nb: *a\n').message).toMatch(/^pipelines\/x\.yaml: not usable: .*alias/i);
    expect(refusal(`description: "${'x'.repeat(300 * 1024)}"`).message).toMatch(/is larger than 256 KiB/);
  });
});
