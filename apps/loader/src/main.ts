import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { createLoadHandler } from '@brokered-etl/stages';
import { runStageApp } from '@brokered-etl/worker';

/** loader: transformed chunks → idempotent upserts into the target collection; completes runs. */
runStageApp('loader', PIPELINES, createLoadHandler);
