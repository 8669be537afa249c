import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', 'coverage/**', '.nx/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      // The domain is pure: no I/O library may reach libs/engine, enforced by project tags.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'scope:engine',
              onlyDependOnLibsWithTags: ['scope:engine'],
              bannedExternalImports: [
                'pg', 'pg-*', 'typeorm', 'bullmq', 'ioredis', 'express', '@bull-board/*', 'node-cron',
                'pino', 'jsonwebtoken', 'node:*', 'fs', 'net', 'http', 'https', 'child_process', 'dns',
              ],
            },
            { sourceTag: 'scope:db', onlyDependOnLibsWithTags: ['scope:engine'] },
            { sourceTag: 'scope:queue', onlyDependOnLibsWithTags: ['scope:engine'] },
            { sourceTag: 'scope:runtime', onlyDependOnLibsWithTags: ['scope:engine', 'scope:db', 'scope:queue'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            // bench and chaos drive the engine from outside, through its libs
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
          ],
        },
      ],
    },
  },
  {
    // CLIs and test helpers talk to the terminal on purpose.
    files: ['**/cli/**/*.ts', 'tools/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
];
