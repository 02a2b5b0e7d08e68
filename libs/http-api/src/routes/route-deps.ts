import type { Logger } from '@brokered-etl/observability';
import type { ApiRunControl, PipelineInfo } from '../api.options';

/** What every route module is built from. */
export interface RouteDeps {
  control: ApiRunControl;
  pipelines: readonly PipelineInfo[];
  logger: Logger;
  /** Whether answers carry record contents (rejected records, dead-letter bytes); see ApiOptions.exposeRecords. */
  exposeRecords: boolean;
}
