/**
 * npx tsx bench/staging-access.bench.ts [documents] — what each filter shape
 * costs on the configured server (FerretDB 1.24 serves only `{_id}` from an
 * index, and only with the local build's fix), and whether a run's own collection gets slower as other runs'
 * collections accumulate (200 runs × 4). p50 of 30 calls each, beside the
 * floor measured in the same run: a findOne by `_id`. Lookups ask for the
 * last document written: a scan that stops at its first match finds an early
 * one at once and looks like an index (it misled this bench once).
 */
import { connectMongo } from '@brokered-etl/staging';
import { benchEnv, runBench, table, timed } from './bench.env';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function p50(call: () => Promise<unknown>, calls = 30): Promise<string> {
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) samples.push((await timed(call)).ms);
  return median(samples).toFixed(2);
}

async function main() {
  const documents = Number(process.argv[2] ?? 20_000);
  const env = benchEnv();
  const tag = `benchaccess${Date.now().toString(36)}`;
  const mongo = await connectMongo({ url: env.mongoUrl, database: tag });
  const { db } = mongo;
  const big = db.collection<{ _id: string; runId: string; status: string; pad: string }>('shared');
  const last = `k${documents - 1}`;
  const docs = Array.from({ length: documents }, (_, i) => ({ _id: `k${i}`, runId: `r${i % 50}`, status: 'completed', pad: 'x'.repeat(300) }));
  for (let i = 0; i < docs.length; i += 5000) await big.insertMany(docs.slice(i, i + 5000));
  const ids = Array.from({ length: 50 }, (_, i) => `k${i * 7}`);
  const rows = [
    ['findOne {_id} (the floor)', await p50(() => big.findOne({ _id: last }))],
    ['replaceOne {_id}', await p50(() => big.replaceOne({ _id: last }, { runId: 'r0', status: 'completed', pad: 'y'.repeat(300) }))],
    ['updateOne {_id} $set', await p50(() => big.updateOne({ _id: last }, { $set: { status: 'completed' } }))],
    ['find {_id: {$in: [50 ids]}}', await p50(() => big.find({ _id: { $in: ids } }).toArray(), 5)],
    ['updateOne {_id, status} (no match)', await p50(() => big.updateOne({ _id: last, status: 'stalled' }, { $set: { x: 1 } }), 5)],
    ['find {runId} (400 of them)', await p50(() => big.find({ runId: 'r3' }).toArray(), 5)],
  ];

  const ledger = db.collection<{ _id: string }>('staging.run.probe.ledger');
  await ledger.insertMany(Array.from({ length: 4 }, (_, i) => ({ _id: `e${i}` })));
  const alone = await p50(() => ledger.find({}).toArray());
  for (let run = 0; run < 200; run++) for (const kind of ['ledger', 'chunks', 'rejections', 'deadletters']) await db.collection<{ _id: string }>(`staging.run.r${run}.${kind}`).insertOne({ _id: 'x' });
  const crowded = await p50(() => ledger.find({}).toArray());
  rows.push(['find({}) on one run\'s ledger (4 entries), its collections alone', alone], ['… the same, beside 800 other runs\' collections', crowded], ['findOne {_id} again (the floor, after)', await p50(() => big.findOne({ _id: last }))]);
  console.log(table(`filters on a ${documents.toLocaleString('en-US')}-document collection, and one run's collection (p50, ms)`, ['query', 'p50 ms'], rows));
  await db.dropDatabase();
  await mongo.close();
}

runBench(main);
