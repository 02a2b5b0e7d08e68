// Jest runs globalSetup outside its module system (no moduleNameMapper):
// tsx resolves our @brokered-etl/* paths and TypeScript here.
require('tsx/cjs');
module.exports = require('../../libs/testing/src/global-setup.ts').default;
