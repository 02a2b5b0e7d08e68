import base from '../../eslint.config.mjs';

// a command-line program prints to the terminal
export default [...base, { files: ['**/*.ts'], rules: { 'no-console': 'off' } }];
