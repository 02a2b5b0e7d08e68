export default {
  displayName: 'pipeline-airport-risk',
  preset: '../../../jest.preset.js',
  rootDir: __dirname,
  // *.int.spec.ts needs real services: it runs in `npm run test:int`, not here
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testPathIgnorePatterns: ['\\.int\\.spec\\.ts$'],
  passWithNoTests: true,
};
