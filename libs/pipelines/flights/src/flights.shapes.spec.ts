import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWholeSource } from '@brokered-etl/pipeline-kit';
import { flightsPipeline } from './flights.pipeline';

describe('flights record shapes', () => {
  // the schemas registered before the shapes were declared once: same text, so the registry keeps the same versions
  const baseline = JSON.parse(readFileSync(join(__dirname, 'flights.registered-schemas.baseline.json'), 'utf8'));

  it.each(['extracted', 'transformed'] as const)('derive the %s Avro schema registered today, to the character', (stage) => {
    expect(JSON.stringify(flightsPipeline[`${stage}Record`])).toBe(JSON.stringify(baseline[stage]));
  });

  it('reads source rows as text, the source position beside them', async () => {
    const records = [];
    for await (const raw of readWholeSource(flightsPipeline.source, { source: 'flights-2k.json', limit: '2' }, { splitRecords: 1000 })) records.push(raw);
    expect(records).toEqual([
      { sourceIndex: 0, date: '2001/01/01 06:55', delay: '-19', distance: '1797', origin: 'LAX', destination: 'BNA' },
      { sourceIndex: 1, date: '2001/01/01 08:47', delay: '0', distance: '1609', origin: 'SJC', destination: 'IAH' },
    ]);
  });

  it('keeps an empty CSV cell as empty text and refuses a CSV without a column it reads', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'flights-shape-')));
    writeFileSync(join(dir, 'ok.csv'), 'date,delay,distance,origin,destination\n2001/01/01 06:55,,1797,LAX,BNA\n');
    writeFileSync(join(dir, 'short.csv'), 'date,delay,origin,destination\n2001/01/01 06:55,1,LAX,BNA\n');
    const read = async (file: string) => {
      const out = [];
      for await (const raw of readWholeSource(flightsPipeline.source, { source: join(dir, file) }, { splitRecords: 10, sourceRoots: [dir] })) out.push(raw);
      return out;
    };
    await expect(read('ok.csv')).resolves.toEqual([{ sourceIndex: 0, date: '2001/01/01 06:55', delay: '', distance: '1797', origin: 'LAX', destination: 'BNA' }]);
    await expect(read('short.csv')).rejects.toThrow(/distance/);
  });
});
