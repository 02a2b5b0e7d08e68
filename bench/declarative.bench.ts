/**
 * npm run bench:declarative — what a declared transform costs per record,
 * beside the same job written as code and the database's insert (the
 * pipeline's ceiling here, bench:pipeline), in one run.
 *
 * movies.json's 3,201 records are read once through the pipeline's file
 * source; then, interleaved round by round, the declared transform
 * (pipelines/movies.yaml, JSONata) and the code transform (the comparison
 * pipeline, same documents) over all of them, and one insertMany of the
 * documents into a throwaway database. Medians of the rounds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDeclaredPipeline, moviesCodePipeline, parsePipelineFile, projectRootDir } from '@brokered-etl/declarative-pipelines';
import { defaultSourceRoots, readWholeSource, type AnyPipeline } from '@brokered-etl/pipeline-kit';
import { connectMongo } from '@brokered-etl/staging';
import { benchEnv, runBench, table, timed } from './bench.env';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function transformAll(pipeline: AnyPipeline, records: Array<Record<string, unknown>>) {
  const transform = await pipeline.createTransform({ sourceRoots: defaultSourceRoots() });
  const context = { runId: 'bench', params: {}, signal: new AbortController().signal };
  const documents: Array<{ _id: string }> = [];
  for (const raw of records) {
    try {
      documents.push(pipeline.target.documentOf(await transform(raw, context)));
    } catch {
      // a rejected record costs what it cost; it has no document
    }
  }
  return documents;
}

async function main() {
  const rounds = Number(process.argv[2] ?? 5);
  const file = 'pipelines/movies.yaml';
  const declared = buildDeclaredPipeline(parsePipelineFile(file, readFileSync(join(projectRootDir(), file), 'utf8')));
  const records: Array<Record<string, unknown>> = [];
  for await (const raw of readWholeSource(declared.source, {}, { splitRecords: 5000, sourceRoots: defaultSourceRoots() })) records.push(raw);

  const env = benchEnv();
  const mongo = await connectMongo({ url: env.mongoUrl, database: `bench_declared_${Date.now().toString(36)}` });
  const times = { declared: [] as number[], code: [] as number[], insert: [] as number[] };
  let loaded = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      const fromYaml = await timed(() => transformAll(declared, records));
      const fromCode = await timed(() => transformAll(moviesCodePipeline, records));
      const collection = mongo.db.collection(`movies_${round}`);
      const insert = await timed(() => collection.insertMany(fromCode.value.map((d) => ({ ...d })) as never[], { ordered: false }));
      times.declared.push(fromYaml.ms);
      times.code.push(fromCode.ms);
      times.insert.push(insert.ms);
      loaded = fromYaml.value.length;
    }
  } finally {
    await mongo.db.dropDatabase().catch(() => undefined);
    await mongo.close();
  }
  const row = (what: string, ms: number[]) => {
    const m = median(ms);
    return [what, m.toFixed(0), `${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)}`, ((m * 1000) / records.length).toFixed(1), Math.round((records.length / m) * 1000).toLocaleString('en-US')];
  };
  console.log(
    table(`movies.json: ${records.length} records (${loaded} documents), median of ${rounds} interleaved rounds`, ['what', 'ms', 'min–max', 'µs/record', 'records/s'], [
      row('declared transform (pipelines/movies.yaml, JSONata)', times.declared),
      row('the same transform as code (movies.code-pipeline.ts)', times.code),
      row('raw: insertMany of the documents (FerretDB)', times.insert),
    ]),
  );
}

runBench(main);
