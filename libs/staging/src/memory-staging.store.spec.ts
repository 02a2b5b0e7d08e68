import { createMemoryStagingStore } from './memory-staging.store';
import { stagingConformance } from './staging.conformance';

stagingConformance('in-memory staging', async () => createMemoryStagingStore());
