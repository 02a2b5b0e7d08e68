export default {
  displayName: 'workspace-plugin',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  // *.int.spec.ts runs the real `nx g` in a copy of the workspace: it runs in `npm run test:int`, not here
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testPathIgnorePatterns: ['\\.int\\.spec\\.ts$'],
  // hyparquet and hyparquet-writer ship ESM only: let swc turn them into CommonJS for jest
  transformIgnorePatterns: ['/node_modules/(?!(hyparquet|hyparquet-writer)/)'],
  passWithNoTests: true,
};
