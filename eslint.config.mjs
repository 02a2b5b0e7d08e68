import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/**
 * Boundaries are enforced, not decorative: apps wire, libs work; pipelines
 * never reach Kafka or MongoDB; only messaging imports kafkajs and the
 * registry client; only staging imports mongodb.
 */
export const clientRestrictions = (allowed) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: [
        { name: 'kafkajs', message: 'only libs/messaging talks to Kafka' },
        { name: '@kafkajs/confluent-schema-registry', message: 'only libs/messaging talks to the schema registry' },
        { name: 'avsc', message: 'only libs/messaging encodes Avro' },
        { name: 'mongodb', message: 'only libs/staging talks to MongoDB' },
      ].filter((p) => !allowed.includes(p.name)),
    },
  ],
});

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/out-tsc', 'node_modules', '.infra', '.nx', '**/*.js', '**/*.mjs', 'tools/jest/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      'no-console': 'error',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            // end-to-end tests exercise everything together
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['*'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:contracts', 'type:util', 'type:catalog', 'type:pipeline', 'type:testing'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:contracts', 'type:util', 'type:pipeline', 'type:catalog', 'type:testing'] },
            { sourceTag: 'type:catalog', onlyDependOnLibsWithTags: ['type:pipeline', 'type:util', 'type:testing'] },
            { sourceTag: 'type:pipeline', onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:testing'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:testing'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:util', 'type:testing'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:contracts', 'type:testing'] },
            { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:util', 'type:testing'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:tooling', 'type:util', 'type:contracts', 'type:data-access', 'type:feature', 'type:pipeline', 'type:catalog', 'type:testing'] },
          ],
        },
      ],
      ...clientRestrictions([]),
    },
  },
  // libs/messaging and libs/staging lift the restriction for their own client in their eslint.config.mjs
  // tests may reach real clients to check what the code under test did
  { files: ['**/*.int.spec.ts'], rules: clientRestrictions(['kafkajs', 'mongodb']) },
  // command-line edges print to the terminal
  { files: ['**/tools/**/*.ts', '**/bench/**/*.ts'], rules: { 'no-console': 'off' } },
];
