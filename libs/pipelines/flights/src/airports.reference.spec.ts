import { mkdtempSync, realpathSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSourceRoots } from '@brokered-etl/pipeline-kit';
import { createAirportReferences } from './airports.reference';
import { flightsPipeline } from './flights.pipeline';

describe('airports reference: a file like the source, confined to the source roots', () => {
  const roots = defaultSourceRoots();

  it('reads the default reference from vega-datasets', async () => {
    expect((await createAirportReferences(roots)()).get('LAX')).toMatchObject({ city: 'Los Angeles' });
  });

  it.each([
    ['an absolute path outside', () => '/etc/passwd'],
    ['a traversal', () => '../../../../../../../etc/passwd'],
    ['a symlink in a root pointing outside', () => {
      const dir = realpathSync(mkdtempSync(join(tmpdir(), 'airports-ref-')));
      symlinkSync('/etc/passwd', join(dir, 'airports.csv'));
      return join(dir, 'airports.csv');
    }],
  ])('refuses %s: BAD_PARAMS naming "airports"', async (_, value) => {
    await expect(createAirportReferences(roots)(value())).rejects.toMatchObject({ code: 'BAD_PARAMS', details: { field: 'airports' } });
  });

  it('the transformer checks the run\'s airports param again, whatever run control let through', async () => {
    const transform = await flightsPipeline.createTransform({ sourceRoots: roots });
    const raw = { sourceIndex: 0, date: '2001/01/01 06:55', delay: '1', distance: '100', origin: 'LAX', destination: 'SFO' };
    const context = { runId: 'r', signal: new AbortController().signal };
    await expect(transform(raw, { ...context, params: { airports: '/etc/passwd' } })).rejects.toMatchObject({ code: 'BAD_PARAMS' });
    await expect(transform(raw, { ...context, params: {} })).resolves.toMatchObject({ route: 'LAX-SFO' });
  });

  it('answers a param from memory for a second, then sees the file changed or gone', async () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'airports-ref-')));
    const file = join(root, 'mine.csv');
    writeFileSync(file, 'iata,name,city,state,country,latitude,longitude\nAAA,A,Aville,,USA,1,2\n');
    let now = 1_000_000;
    const spy = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const airportsFor = createAirportReferences([root]);
      expect((await airportsFor('mine.csv')).has('AAA')).toBe(true);
      writeFileSync(file, 'iata,name,city,state,country,latitude,longitude\nBBB,B,Bville,,USA,1,2\n');
      utimesSync(file, new Date(), new Date(Date.UTC(2030, 0, 1)));
      now += 999;
      expect((await airportsFor('mine.csv')).has('AAA')).toBe(true);
      now += 1;
      expect((await airportsFor('mine.csv')).has('BBB')).toBe(true);
      rmSync(file);
      now += 1000;
      await expect(airportsFor('mine.csv')).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
    } finally {
      spy.mockRestore();
    }
  });
});
