import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessageOf } from '@brokered-etl/errors';
import { defaultSourceRoots, readWholeSource, type AnyPipeline } from '@brokered-etl/pipeline-kit';
import { moviesCodePipeline } from './comparison/movies.code-pipeline';
import { buildDeclaredPipeline } from './declared-pipeline';
import { parsePipelineFile } from './pipeline-file.reader';
import { projectRootDir } from './pipelines-folder';

/** The shipped example, read through the real file source as the extractors read it, split by split. */
const FILE = 'pipelines/movies.yaml';
const declared = buildDeclaredPipeline(parsePipelineFile(FILE, readFileSync(join(projectRootDir(), FILE), 'utf8')));

async function runLocally(pipeline: AnyPipeline) {
  const sourceRoots = defaultSourceRoots();
  const transform = await pipeline.createTransform({ sourceRoots });
  const context = { runId: 'r', params: {}, signal: new AbortController().signal };
  const documents = new Map<string, unknown>();
  const rejected: string[] = [];
  let extracted = 0;
  for await (const raw of readWholeSource(pipeline.source, {}, { splitRecords: 1000, sourceRoots })) {
    extracted++;
    try {
      const document = pipeline.target.documentOf(await transform(raw, context));
      documents.set(document._id, document);
    } catch (err) {
      rejected.push(errorMessageOf(err));
    }
  }
  return { extracted, documents, rejected };
}

describe('pipelines/movies.yaml', () => {
  let result: Awaited<ReturnType<typeof runLocally>>;
  beforeAll(async () => {
    result = await runLocally(declared);
  }, 60_000);

  it('reads all of movies.json; rejects 30 with reasons, keys the rest by title and release date', () => {
    expect(result.extracted).toBe(3201);
    expect(result.rejected).toHaveLength(30);
    expect(result.documents.size).toBe(3171);
    expect(result.rejected.filter((r) => r === 'Title is missing')).toHaveLength(1);
    expect(result.rejected.filter((r) => r === 'US Gross is missing')).toHaveLength(5);
    expect(result.rejected.filter((r) => /^Release Date [A-Z][a-z]{2} \d\d (20(1[1-9]|[2-4]\d)) is after 2010/.test(r))).toHaveLength(24);
    expect(result.documents.get('Titanic (1997-12-19)')).toMatchObject({ title: 'Titanic', gross: { us: 600_788_188 }, released: new Date('1997-12-19T00:00:00Z') });
  });

  it('gives exactly what the same pipeline written as code gives: documents, reasons, extracted schema', async () => {
    const code = await runLocally(moviesCodePipeline);
    expect(result.documents).toEqual(code.documents);
    expect(result.rejected).toEqual(code.rejected);
    expect(declared.extractedRecord).toEqual(moviesCodePipeline.extractedRecord);
    // the declared transformed record carries its key as a first field; the rest is the same schema
    expect({ ...declared.transformedRecord, fields: declared.transformedRecord.fields.slice(1) }).toEqual(moviesCodePipeline.transformedRecord);
  }, 60_000);

  it('a CSV source must have every declared source column: one without them is refused at planning', async () => {
    const sourceRoots = defaultSourceRoots();
    await expect(declared.source.plan({ source: 'airports.csv' }, { splitRecords: 1000, sourceRoots })).rejects.toThrow(/Title/);
  });
});

describe('docs/pipelines.md', () => {
  it('quotes pipelines/movies.yaml as it is', () => {
    const doc = readFileSync(join(projectRootDir(), 'docs/pipelines.md'), 'utf8');
    const quoted = /```yaml file=pipelines\/movies\.yaml\n([\s\S]*?)\n```/.exec(doc)?.[1];
    expect(quoted).toBe(readFileSync(join(projectRootDir(), FILE), 'utf8').trimEnd());
  });
});
