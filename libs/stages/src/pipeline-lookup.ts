import { HEADERS } from '@brokered-etl/contracts';
import { EtlError } from '@brokered-etl/errors';
import type { AnyPipeline } from '@brokered-etl/pipeline-kit';
import type { StageDeps } from './stage.deps';

export function requirePipeline(deps: StageDeps, name: string): AnyPipeline {
  const pipeline = deps.pipelines.find(name);
  if (!pipeline) {
    throw new EtlError('UNKNOWN_PIPELINE', `unknown pipeline "${name}"; this worker hosts: ${deps.pipelines.names().join(', ')}`, { details: { pipeline: name } });
  }
  return pipeline;
}

export function chunkHeaders(runId: string, pipeline: string, chunkSeq: number, stage: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [HEADERS.runId]: runId, [HEADERS.pipeline]: pipeline, [HEADERS.chunkSeq]: String(chunkSeq), [HEADERS.producedBy]: stage, ...extra };
}
