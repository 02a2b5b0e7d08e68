/**
 * npx tsx bench/target-write-paths.bench.ts [existing] [chunk] — what each
 * TARGET_WRITE_PATH costs on the configured server: a chunk of new documents,
 * then the same ids again with new content (a redelivered or rerun chunk),
 * into a target that already holds `existing` documents. Beside it, in the same
 * run, the raw floor: one insertMany of the new chunk into a fresh collection.
 */
import { connectMongo, createMongoTargetWriter, type TargetWritePath } from '@brokered-etl/staging';
import { benchEnv, runBench, table, timed } from './bench.env';

const PATHS: TargetWritePath[] = ['insert-then-replace', 'bulk-replace', 'insert-then-reinsert'];

async function main() {
  const existing = Number(process.argv[2] ?? 20_000);
  const chunk = Number(process.argv[3] ?? 5_000);
  const env = benchEnv();
  const mongo = await connectMongo({ url: env.mongoUrl, database: `benchpaths${Date.now().toString(36)}` });
  const { db } = mongo;
  // flight-sized: ~600 bytes of JSON each
  const docs = (from: number, n: number, version: number) => Array.from({ length: n }, (_, i) => ({ _id: `flights.json:${from + i}`, version, pad: 'x'.repeat(560) }));
  const fill = async (name: string) => {
    for (let i = 0; i < existing; i += chunk) await db.collection(name).insertMany(docs(i, Math.min(chunk, existing - i), 0) as never[]);
  };

  const rows: string[][] = [];
  await fill('floor');
  const floor = await timed(() => db.collection('floor').insertMany(docs(existing, chunk, 0) as never[]));
  rows.push(['raw insertMany (floor)', floor.ms.toFixed(0), '-', '-']);
  for (const path of PATHS) {
    await fill(path);
    const writer = createMongoTargetWriter(db, { writePath: path });
    const fresh = await timed(() => writer.upsertMany(path, docs(existing, chunk, 0)));
    const again = await timed(() => writer.upsertMany(path, docs(existing - chunk, chunk, 1)));
    rows.push([path, fresh.ms.toFixed(0), again.ms.toFixed(0), (again.ms / chunk).toFixed(2)]);
  }
  console.log(table(`a ${chunk.toLocaleString('en-US')}-document chunk into a target of ${existing.toLocaleString('en-US')} (ms)`, ['write path', 'new chunk', 'chunk that exists', 'ms per existing document'], rows));
  await db.dropDatabase();
  await mongo.close();
}

runBench(main);
