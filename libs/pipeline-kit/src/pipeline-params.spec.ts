import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEtlError } from '@brokered-etl/errors';
import { fileSourceParams } from './file-source';
import { validateParams, type ParamSpecs } from './pipeline-params';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'params-')));
writeFileSync(join(root, 'flights.json'), '[]');

const specs: ParamSpecs = {
  ...fileSourceParams('flights.json', 'a file'),
  airports: { description: 'reference CSV', type: 'path' },
  tag: { description: 'a label', pattern: '[a-z]+', maxLength: 8 },
  name: { description: 'must be given', required: true },
};
const arriving = { sourceRoots: [root], requireFiles: true };

function fieldOf(params: Record<string, string>, options = arriving): { field: unknown; message: string } {
  try {
    validateParams(specs, params, options);
  } catch (err) {
    if (isEtlError(err) && err.code === 'BAD_PARAMS') return { field: err.details?.['field'], message: err.message };
    throw err;
  }
  throw new Error('expected BAD_PARAMS');
}

describe('validateParams', () => {
  it('accepts values its declarations allow', () => {
    expect(() => validateParams(specs, { name: 'x', source: 'flights.json', format: 'json', limit: '10', airports: join(root, 'flights.json'), tag: 'abc' }, arriving)).not.toThrow();
  });

  it.each([
    ['an unknown param', { name: 'x', sorce: 'a' }, 'sorce', /has no param "sorce"; it takes: source, format, limit/],
    ['a required param left out', {}, 'name', /is required/],
    ['a format outside its values', { name: 'x', format: 'xml' }, 'format', /one of json, csv, parquet/],
    ['a limit of 0', { name: 'x', limit: '0' }, 'limit', /at least 1/],
    ['a limit that is not a number', { name: 'x', limit: '12abc' }, 'limit', /whole number/],
    ['a negative limit', { name: 'x', limit: '-5' }, 'limit', /at least 1/],
    ['a value off its pattern', { name: 'x', tag: 'ABC' }, 'tag', /does not match/],
    ['a value over its length', { name: 'x', tag: 'abcdefghij' }, 'tag', /longer than 8/],
    ['a path outside the roots', { name: 'x', source: '/etc/passwd' }, 'source', /outside the allowed source roots/],
    ['a path traversal', { name: 'x', airports: '../../../../etc/passwd' }, 'airports', /outside the allowed source roots/],
    ['a path to no file', { name: 'x', source: 'missing.json' }, 'source', /no file "missing.json"/],
  ])('refuses %s: BAD_PARAMS with details.field', (_, params, field, message) => {
    const refused = fieldOf(params as Record<string, string>);
    expect(refused.field).toBe(field);
    expect(refused.message).toMatch(message);
  });

  it('the worker checks confinement but leaves a missing file to the reader', () => {
    expect(() => validateParams(specs, { name: 'x', source: 'missing.json' }, { sourceRoots: [root], requireFiles: false })).not.toThrow();
    expect(fieldOf({ name: 'x', source: '/etc/passwd' }, { sourceRoots: [root], requireFiles: false }).field).toBe('source');
  });

  it('an empty value counts as not given (the default applies)', () => {
    expect(() => validateParams(specs, { name: 'x', limit: '', source: '' }, arriving)).not.toThrow();
  });
});
