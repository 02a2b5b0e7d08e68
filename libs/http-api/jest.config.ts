export default {
  displayName: 'http-api',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  // *.int.spec.ts needs real services: it runs in `npm run test:int`, not here
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testPathIgnorePatterns: ['\\.int\\.spec\\.ts$'],
  // the preset's list, plus cookie 2 (ESM only), which fastify's inject (light-my-request) loads
  transformIgnorePatterns: ['/node_modules/(?!(cookie|hyparquet|hyparquet-compressors|hysnappy|fzstd)/)'],
  passWithNoTests: true,
};
