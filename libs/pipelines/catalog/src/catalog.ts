import { pipelinesDirOf } from '@brokered-etl/config';
import { loadDeclaredPipelines, resolvePipelinesDir, type DeclaredPipelines } from '@brokered-etl/declarative-pipelines';
import type { AnyPipeline } from '@brokered-etl/pipeline-kit';
import { airportRiskJobsPipeline, airportRiskPipeline } from '@brokered-etl/pipelines/airport-risk';
import { airportsPipeline } from '@brokered-etl/pipelines/airports';
import { flightsPipeline } from '@brokered-etl/pipelines/flights';

/**
 * Every pipeline the stage apps, the CLI, the API and the scheduler host.
 * A code pipeline is a lib, its import and an entry in this array (the
 * pipeline generator adds both); apps/ stays untouched. The pipelines
 * declared as files are appended below, once, when this module loads.
 */
export const PIPELINES: readonly AnyPipeline[] = [flightsPipeline, airportsPipeline, airportRiskPipeline, airportRiskJobsPipeline];

/**
 * The YAML/JSON pipelines of ETL_PIPELINES_DIR (default `pipelines/` at the
 * project root), read when this module is first imported: every app imports
 * the catalog as a constant, so reading this one setting here (not in each
 * app's env) is what lets a new file need no change anywhere else. A file that
 * cannot be loaded, or takes a code pipeline's name or collection, is refused
 * with its reason (a process warning at start, and `etl pipelines`); the
 * others load.
 */
export const DECLARED_PIPELINES: DeclaredPipelines = loadDeclaredPipelines(resolvePipelinesDir(pipelinesDirOf(process.env)), {
  taken: PIPELINES,
  mustExist: pipelinesDirOf(process.env) !== undefined,
});
// appended rather than spread into the literal above: the generator edits that literal, and the declared files must be checked against all of it
(PIPELINES as AnyPipeline[]).push(...DECLARED_PIPELINES.pipelines);
for (const refused of DECLARED_PIPELINES.refused) {
  process.emitWarning(`pipeline file refused: ${refused.reason}`, { code: 'ETL_PIPELINE_REFUSED' });
}

export function pipelineCatalog(pipelines: readonly AnyPipeline[] = PIPELINES) {
  const byName = new Map(pipelines.map((p) => [p.name, p]));
  return {
    all: () => [...pipelines],
    find: (name: string) => byName.get(name),
    names: () => [...byName.keys()],
  };
}

export type PipelineCatalog = ReturnType<typeof pipelineCatalog>;
