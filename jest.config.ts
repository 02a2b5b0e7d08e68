import type { Config } from 'jest';
import { getJestProjectsAsync } from '@nx/jest';

/** Unit tests of every project (`*.spec.ts`); integration tests run through jest.int.config.ts. */
export default async (): Promise<Config> => ({
  projects: await getJestProjectsAsync(),
});
