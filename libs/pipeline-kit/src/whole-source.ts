import type { PipelineSource, PlanOptions } from './source-split.types';

/** Every record of a source, split after split, as the extractors together would read it (tests, previews). */
export async function* readWholeSource<Raw>(source: PipelineSource<Raw>, params: Record<string, string>, options: PlanOptions = { splitRecords: 50_000 }): AsyncGenerator<Raw> {
  const plan = await source.plan(params, options);
  for (const split of plan.splits) yield* source.read(params, split, plan.fingerprint);
}
