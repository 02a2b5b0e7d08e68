import type { AnyPipeline } from '@brokered-etl/pipeline-kit';
import { airportsPipeline } from '@brokered-etl/pipelines/airports';
import { flightsPipeline } from '@brokered-etl/pipelines/flights';

/** Every pipeline the stage apps host. Adding one means adding a lib and a line here; apps/ stays untouched. */
export const PIPELINES: readonly AnyPipeline[] = [flightsPipeline, airportsPipeline];

export function pipelineCatalog(pipelines: readonly AnyPipeline[] = PIPELINES) {
  const byName = new Map(pipelines.map((p) => [p.name, p]));
  return {
    all: () => [...pipelines],
    find: (name: string) => byName.get(name),
    names: () => [...byName.keys()],
  };
}

export type PipelineCatalog = ReturnType<typeof pipelineCatalog>;
