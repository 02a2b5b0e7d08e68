import type { ExtractSplit, RunRequested } from '@brokered-etl/contracts';
import type { HandlerContext, InboundMessage } from '@brokered-etl/messaging';
import { createPlanHandler } from './plan.handler';
import { createSplitHandler } from './split.handler';
import type { StageDeps } from './stage.deps';

/**
 * The extractor's one handler over its two input topics: a trigger is
 * planned into splits, a split is extracted (ADR 0004).
 */
export function createExtractHandler(deps: StageDeps) {
  const plan = createPlanHandler(deps);
  const extractSplit = createSplitHandler(deps);
  return async function extract(message: InboundMessage<RunRequested | ExtractSplit>, context: HandlerContext): Promise<void> {
    if (message.topic === deps.topics.splits) return extractSplit(message as InboundMessage<ExtractSplit>, context);
    return plan(message as InboundMessage<RunRequested>, context);
  };
}

export type ExtractHandler = ReturnType<typeof createExtractHandler>;
