import type { Rejection, RunRecord } from '@brokered-etl/staging';

const seconds = (from?: Date, to?: Date) => (from && to ? (to.getTime() - from.getTime()) / 1000 : undefined);

/** One line of `etl runs list`. */
export function runLine(run: RunRecord): string {
  const c = run.counts;
  const counts = c ? `extracted ${c.extracted}  transformed ${c.transformed}  rejected ${c.rejected}  loaded ${c.loaded}` : '';
  return `${run.runId.padEnd(44)} ${run.pipeline.padEnd(9)} ${run.status.padEnd(9)} ${run.requestedAt.toISOString()}  ${counts}`;
}

/** How far the chunks got: a total is known once every split is extracted; a finished run without one stopped early. */
function chunksText(run: RunRecord): string {
  const loaded = run.counts?.chunksLoaded ?? 0;
  if (run.totalChunks !== undefined) return `${loaded} loaded of ${run.totalChunks}`;
  if (run.status === 'failed') return `${loaded} loaded (the run failed before its source was fully extracted)`;
  return `${loaded} loaded (total known once every split is extracted)`;
}

const splitsText = (run: RunRecord) => (run.splitCount === undefined ? 'not planned yet' : `${run.counts?.splitsExtracted ?? 0}/${run.splitCount} extracted`);

/** `etl runs show`: everything a person needs to judge a run. */
export function runDetail(run: RunRecord, rejections: Rejection[]): string {
  // resolved rejections were redriven and loaded: only open ones are news
  const c = run.counts;
  const took = seconds(run.startedAt ?? run.requestedAt, run.finishedAt);
  const rate = took && c ? Math.round(c.loaded / took) : undefined;
  const lines = [
    `run        ${run.runId}`,
    `pipeline   ${run.pipeline}  params ${JSON.stringify(run.params)}`,
    `status     ${run.status}${run.failure ? `  (${run.failure.code}: ${run.failure.message})` : ''}${run.stall ? `  (at ${run.stall.stage}: ${run.stall.reason})` : ''}`,
    `requested  ${run.requestedAt.toISOString()} by ${run.requestedBy}`,
    `started    ${run.startedAt?.toISOString() ?? '-'}`,
    `finished   ${run.finishedAt?.toISOString() ?? '-'}${took !== undefined ? `  (${took.toFixed(1)} s${rate !== undefined ? `, ${rate} records/s` : ''})` : ''}`,
    `splits     ${splitsText(run)}`,
    `chunks     ${chunksText(run)}`,
    `records    extracted ${c?.extracted ?? 0}  transformed ${c?.transformed ?? 0}  rejected ${c?.rejected ?? 0}  loaded ${c?.loaded ?? 0}`,
    ...waitingText(run).map((text) => `waiting    ${text}`),
  ];
  rejections = rejections.filter((r) => !r.resolvedAt);
  if (rejections.length > 0) {
    lines.push(`rejected records (etl dlq list --run ${run.runId}; fix the cause, then etl dlq redrive --run ${run.runId}):`);
    for (const r of rejections.slice(0, 10)) lines.push(`  chunk ${r.chunkSeq} record ${r.recordIndex}: ${r.reason}`);
    if (rejections.length > 10) lines.push(`  … ${rejections.length - 10} more (etl runs show ${run.runId} --json)`);
  }
  return lines.join('\n');
}

export function progressLine(run: RunRecord | undefined): string {
  if (!run) return 'waiting for the extractor to pick the run up…';
  const c = run.counts;
  const splits = run.splitCount === undefined ? '' : `splits ${c?.splitsExtracted ?? 0}/${run.splitCount}  `;
  const waiting = waitingText(run).map((text) => `  (${text})`).join('');
  return `${run.status.padEnd(9)} ${splits}chunks ${c?.chunksLoaded ?? 0}/${run.totalChunks ?? '?'}  extracted ${c?.extracted ?? 0}  transformed ${c?.transformed ?? 0}  rejected ${c?.rejected ?? 0}  loaded ${c?.loaded ?? 0}${waiting}`;
}

/** "waiting on <service>: N pending", per service an open run's chunks wait on (a closed run waits on nothing). */
function waitingText(run: RunRecord): string[] {
  if (run.status === 'completed' || run.status === 'failed') return [];
  return Object.entries(run.counts?.waiting ?? {}).map(([service, pending]) => `waiting on ${service}: ${pending} pending`);
}
