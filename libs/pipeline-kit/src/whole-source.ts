import { defaultSourceRoots } from './sources/source-roots';
import type { PipelineSource, PlanOptions, SourceContext } from './source-split.types';

/** Every record of a source, split after split, as the extractors together would read it (tests, previews); the default roots unless given. */
export async function* readWholeSource<Raw>(source: PipelineSource<Raw>, params: Record<string, string>, options: PlanOptions & Partial<SourceContext> = { splitRecords: 50_000 }): AsyncGenerator<Raw> {
  const context = { ...options, sourceRoots: options.sourceRoots ?? defaultSourceRoots() };
  const plan = await source.plan(params, context);
  for (const split of plan.splits) yield* source.read(params, split, plan.fingerprint, context);
}
