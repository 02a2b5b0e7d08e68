import { EtlError } from '@brokered-etl/errors';
import type { OffsetReplayRequest, RedriveSelection, RerunFrom } from '@brokered-etl/replay';
import type { DeadLetterRecord, RunRecord } from '@brokered-etl/staging';
import type { ApiRunControl, PipelineInfo } from '../api.options';

export const FAKE_PIPELINES: PipelineInfo[] = [
  { name: 'flights', description: 'flights', params: { source: { description: 'file', default: 'flights-20k.json' }, format: { description: 'json|csv' } } },
];

/**
 * Run control without Kafka or MongoDB, for the HTTP layer's unit tests:
 * runs and dead letters live in maps, and the calls it got are recorded.
 * Refusals follow the real one (unknown pipeline, unknown dead letter, group active).
 */
export function createFakeRunControl(options: { activeMembers?: number } = {}) {
  const runs = new Map<string, RunRecord>();
  const letters = new Map<string, DeadLetterRecord>();
  const calls: Array<{ op: string; args: unknown[] }> = [];
  const record = (op: string, ...args: unknown[]) => calls.push({ op, args });

  const control: ApiRunControl = {
    async trigger(request) {
      record('trigger', request);
      if (!FAKE_PIPELINES.some((p) => p.name === request.pipeline)) throw new EtlError('UNKNOWN_PIPELINE', `unknown pipeline "${request.pipeline}"; known: flights`);
      const runId = request.runId ?? `flights-${runs.size + 1}`;
      const message = { runId, pipeline: request.pipeline, params: request.params ?? {}, requestedAt: new Date('2026-01-01T00:00:00Z'), requestedBy: request.requestedBy };
      runs.set(runId, { ...message, status: 'requested' });
      return message;
    },
    getRun: async (runId) => runs.get(runId),
    describeRuns: async (opts) => [...runs.values()].filter((r) => !opts?.pipeline || r.pipeline === opts.pipeline).slice(0, opts?.limit ?? 50),
    describeRun: async (runId) => runs.get(runId),
    listRejections: async () => [],
    async rerun(runId: string, from: RerunFrom) {
      record('rerun', runId, from);
      const run = runs.get(runId);
      if (!run) throw new EtlError('NOT_FOUND', `no run "${runId}" in staging`);
      const generation = (run.generation ?? 0) + 1;
      runs.set(runId, { ...run, status: 'running', generation });
      return { runId, from, generation, chunks: run.totalChunks ?? 0, records: run.totalRecords ?? 0 };
    },
    listDeadLetters: async (filter) => [...letters.values()].filter((d) => (!filter.runId || d.runId === filter.runId) && (!filter.open || !d.redrivenAt)),
    getDeadLetter: async (id) => letters.get(id),
    async redrive(selection: RedriveSelection) {
      record('redrive', selection);
      const chosen = 'runId' in selection ? [...letters.values()].filter((d) => d.runId === selection.runId && !d.redrivenAt) : selection.ids.map((id) => letters.get(id) ?? id);
      const missing = chosen.find((d) => typeof d === 'string');
      if (missing) throw new EtlError('NOT_FOUND', `no dead letter "${missing}" (see etl dlq list)`);
      return { redriven: (chosen as DeadLetterRecord[]).map((d) => ({ id: d.id, topic: d.topic, runId: d.runId })) };
    },
    async replay(request: OffsetReplayRequest) {
      record('replay', request);
      const members = Array.from({ length: options.activeMembers ?? 0 }, (_, i) => ({ clientId: `etl-transformer-${i}`, clientHost: '/127.0.0.1' }));
      if (!request.dryRun && members.length) throw new EtlError('GROUP_ACTIVE', `group etl.transformer has ${members.length} active member(s)`, { details: { groupId: 'etl.transformer', members } });
      return { groupId: `etl.${request.stage}`, topics: ['flights.extracted'], plan: [{ topic: 'flights.extracted', partition: 0, current: '5', next: '0', reprocess: 5 }], applied: !request.dryRun, reprocess: 5, activeMembers: members };
    },
  };
  return { control, runs, letters, calls };
}

export function deadLetter(id: string, runId: string, overrides: Partial<DeadLetterRecord> = {}): DeadLetterRecord {
  return {
    id,
    runId,
    pipeline: 'flights',
    stage: 'transformer',
    errorCode: 'VALIDATION_FAILED',
    errorMessage: 'origin airport "ZZZ" is unknown',
    attempts: 1,
    failedAt: new Date('2026-01-01T00:00:01Z'),
    topic: 'flights.extracted',
    partition: 2,
    offset: '7',
    key: Buffer.from(`${runId}:0`),
    value: Buffer.from([0, 0, 0, 0, 1, 2]),
    headers: [{ key: 'etl-run-id', value: Buffer.from(runId) }],
    chunkSeq: 0,
    recordIndex: 3,
    record: '{"origin":"ZZZ"}',
    ...overrides,
  };
}
