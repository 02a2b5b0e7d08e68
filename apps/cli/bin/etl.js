#!/usr/bin/env node
// Runs the CLI from source through tsx (resolves the workspace's TypeScript paths): no build step for `npx etl`.
require('tsx/cjs');
require('../src/main.ts');
