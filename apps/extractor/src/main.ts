import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { createExtractHandler } from '@brokered-etl/stages';
import { runStageApp } from '@brokered-etl/worker';

/** extractor: RunRequested (etl.runs.trigger) → chunks of raw records (<pipeline>.extracted). */
runStageApp('extractor', PIPELINES, createExtractHandler);
