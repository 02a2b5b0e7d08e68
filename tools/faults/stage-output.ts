import type { StageName } from '@brokered-etl/contracts';
import type { ProgressCounter } from './run-watch';

/** The count each stage moves: its progress, and the point faults aim at. */
export const OUTPUT_OF: Record<StageName, ProgressCounter> = { extractor: 'extracted', transformer: 'transformed', loader: 'loaded' };
