require('tsx/cjs');
module.exports = require('../../libs/testing/src/global-teardown.ts').default;
