import base, { clientRestrictions } from '../../eslint.config.mjs';

// the one lib that talks to MongoDB
export default [...base, { files: ['**/*.ts'], rules: clientRestrictions(['mongodb']) }];
