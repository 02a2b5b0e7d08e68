import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');

/** docs/pipelines.md quotes whole files as its worked example: it must never drift from them. */
describe('docs/pipelines.md', () => {
  const guide = readFileSync(join(ROOT, 'docs', 'pipelines.md'), 'utf8');
  const quoted = [...guide.matchAll(/```ts file=(\S+)\n([\s\S]*?)```/g)].map(([, file, code]) => ({ file: file!, code: code! }));

  it('quotes at least one file', () => {
    expect(quoted.length).toBeGreaterThan(0);
  });

  it.each(quoted)('quotes $file exactly as it is', ({ file, code }) => {
    expect(code).toBe(readFileSync(join(ROOT, file), 'utf8'));
  });
});
