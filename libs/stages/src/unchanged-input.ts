import { createHash } from 'node:crypto';
import { HEADERS } from '@brokered-etl/contracts';
import type { AnyPipeline } from '@brokered-etl/pipeline-kit';
import type { RunRecord, StagedPlan } from '@brokered-etl/staging';
import { sourceRootsOf, type LoaderDeps, type StageDeps } from './stage.deps';

const digestOf = (parts: readonly string[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('base64url');
};

/**
 * Unchanged input (docs/staging.md): a chunk whose records an earlier run
 * already loaded clean (no rejection, no service call), with the same params,
 * source, pipeline code and reference data, and whose documents the target
 * still holds with that content, is marked extracted, transformed and loaded
 * without being staged, sent or written again. Whatever could change the
 * transform's output is in the key; a pipeline whose output the key cannot
 * see (a third-party call) never skips, and neither does a rerun or a redrive.
 */
export function createUnchangedInputs(deps: StageDeps) {
  const now = deps.now ?? (() => new Date());
  const sourceRoots = sourceRootsOf(deps);

  return {
    /** What every chunk key of one split shares; undefined when this split's chunks must all go through. */
    async scopeOf(pipeline: AnyPipeline, run: RunRecord, plan: StagedPlan, params: Record<string, string>, headers: Record<string, string>): Promise<string | undefined> {
      if (!deps.codeVersion || !deps.target || pipeline.enrichment || (run.generation ?? 0) > 0 || headers[HEADERS.redriveOf] !== undefined) return undefined;
      const reference = pipeline.referenceVersion ? await pipeline.referenceVersion(params, { sourceRoots }) : '';
      const sortedParams = Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return digestOf([pipeline.name, pipeline.version ?? '', deps.codeVersion, JSON.stringify(pipeline.transformedRecord), pipeline.target.collection, plan.sourceId ?? '', JSON.stringify(sortedParams), reference]);
    },

    /** One chunk's input key: the split's scope, the chunk's position and its records. */
    keyOf(scope: string, firstRecordIndex: number, records: readonly unknown[]): string {
      const hash = createHash('sha256').update(scope).update(`\0${firstRecordIndex}\0`);
      for (const record of records) hash.update(JSON.stringify(record)).update('\n');
      return hash.digest('base64url');
    },

    /** Marks the chunk done in every stage when an earlier run loaded this key and the target still holds it; false otherwise. */
    async skipIfLoaded(key: string, runId: string, chunkSeq: number, records: number, generation: number): Promise<boolean> {
      const mark = await deps.staging.getInputMark(key);
      if (!mark || mark.records !== records || !(await deps.target!.holdsDigest(mark.digestId, mark.digest))) return false;
      const at = now();
      // transformed and loaded before extracted: a crash in between redoes the chunk, it never leaves it extracted and never loaded
      await deps.staging.markChunk(runId, chunkSeq, { transformed: { records, rejected: 0, at }, loaded: { records, at, generation, digest: mark.digest, unchanged: true } });
      await deps.staging.markChunk(runId, chunkSeq, { extracted: { records, at, generation, unchangedSince: mark.runId } });
      return true;
    },
  };
}

/** The loader's half: a clean chunk that carries its input key is remembered once its documents are in the target. */
export async function markLoadedInput(deps: Pick<LoaderDeps, 'staging' | 'now'>, headers: Record<string, string>, loaded: { runId: string; digestId: string; digest: string; records: number }): Promise<void> {
  const key = headers[HEADERS.inputKey];
  if (key === undefined) return;
  await deps.staging.markInput(key, { ...loaded, at: (deps.now ?? (() => new Date()))() });
}
