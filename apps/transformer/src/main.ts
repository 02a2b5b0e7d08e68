import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { createTransformHandler } from '@brokered-etl/stages';
import { runStageApp } from '@brokered-etl/worker';

/** transformer: extracted chunks → validated, enriched chunks (<pipeline>.transformed); bad records → etl.dlq. */
runStageApp('transformer', PIPELINES, createTransformHandler);
