import { createMemoryResponseStore } from './memory-response.store';
import { responseStoreConformance } from './response-store.conformance';

responseStoreConformance('memory response store', async () => ({ store: createMemoryResponseStore(), close: async () => undefined }));
