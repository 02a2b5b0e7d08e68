import { connectMongo, createMongoStagingStore } from '@brokered-etl/staging';
import { createMongoStagingStore as createOld } from './.old/mongo-staging.store';
const N = Number(process.env['CHUNKS'] ?? 200);
async function loop(make: typeof createMongoStagingStore, interleaved: boolean) {
  const mongo = await connectMongo({ url: 'mongodb://127.0.0.1:27017/', database: `revloop${Date.now().toString(36)}` });
  try {
    const s = make(mongo.db); await s.ensureIndexes();
    const at = new Date(); const runId = 'r';
    await s.createRun({ runId, pipeline: 'flights', params: {}, requestedBy: 't', status: 'requested', requestedAt: at });
    await s.markRunStarted(runId, at);
    if (!interleaved) { for (let q = 0; q < N; q++) await s.markChunk(runId, q, { extracted: { records: 5000, at } }); await s.markSourceEnded(runId, { totalChunks: N, totalRecords: N * 5000 }, at); }
    let inComplete = 0; let completed = 0;
    for (let q = 0; q < N; q++) {
      if (interleaved) await s.markChunk(runId, q, { extracted: { records: 5000, at } });
      await s.markChunk(runId, q, { transformed: { records: 5000, rejected: 0, at }, loaded: { records: 5000, at } });
      const t = performance.now(); if (await s.completeRunIfDone(runId, at)) completed++; inComplete += performance.now() - t;
    }
    if (interleaved) { await s.markSourceEnded(runId, { totalChunks: N, totalRecords: N * 5000 }, at); const t = performance.now(); if (await s.completeRunIfDone(runId, at)) completed++; inComplete += performance.now() - t; }
    return `${(inComplete / 1000).toFixed(1)} s in completeRunIfDone (completed ${completed}x)`;
  } finally { await mongo.db.dropDatabase(); await mongo.close(); }
}
async function main() {
  for (const interleaved of [true, false]) {
    const what = interleaved ? 'source ends after the last load' : 'source ended before loading';
    console.log(`${N} chunks, ${what}: before ${await loop(createOld as never, interleaved)}; after ${await loop(createMongoStagingStore, interleaved)}`);
  }
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
