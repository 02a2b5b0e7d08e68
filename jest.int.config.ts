import type { Config } from 'jest';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const preset = require('./jest.preset.js');

/**
 * Integration tests (`*.int.spec.ts`) of every project, against real Kafka,
 * schema registry and MongoDB found or started once by the global setup.
 */
const config: Config = {
  ...preset,
  displayName: 'integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/{apps,libs,tools}/**/*.int.spec.ts'],
  globalSetup: '<rootDir>/tools/jest/int-global-setup.js',
  globalTeardown: '<rootDir>/tools/jest/int-global-teardown.js',
  testTimeout: 120_000,
  slowTestThreshold: 30,
};

export default config;
