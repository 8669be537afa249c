import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const ENGINE_TIMERS = ['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate'];
const TIMER_MESSAGE = 'libs/engine holds no timers: use the clock port (ports.clock), and leave waiting to the adapters (the LeaseKeeper port for leases)';
const CLOCK_MESSAGE = 'libs/engine reads the time only from the clock port: use ports.clock.now() (or the `now` a planner is given)';

/**
 * Which project may import which, by tag. The domain is pure: no I/O library may reach
 * libs/engine. The test kit depends on no lib, so that every project's tests may use it.
 */
const BOUNDARIES = {
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
    // the service handlers reach the database through a port, never through libs/db
    { sourceTag: 'scope:handlers', onlyDependOnLibsWithTags: ['scope:engine'] },
    { sourceTag: 'scope:runtime', onlyDependOnLibsWithTags: ['scope:engine', 'scope:db', 'scope:queue', 'scope:handlers'] },
    // the HTTP layer sits over the runtime's services
    { sourceTag: 'scope:http', onlyDependOnLibsWithTags: ['scope:engine', 'scope:runtime'] },
    { sourceTag: 'scope:testkit', onlyDependOnLibsWithTags: [] },
    { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
    // bench and chaos drive the engine from outside, through its libs
    { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
  ],
};

/** The engine's and the handlers' tests may also use the test kit's definition builder (and nothing else of it). */
const ENGINE_TEST_BOUNDARIES = {
  ...BOUNDARIES,
  depConstraints: BOUNDARIES.depConstraints.map((c) =>
    c.sourceTag === 'scope:engine' || c.sourceTag === 'scope:handlers' ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'scope:testkit'] } : c,
  ),
};

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', 'coverage/**', '.nx/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      '@nx/enforce-module-boundaries': ['error', BOUNDARIES],
    },
  },
  {
    // The engine is pure in time as well: it reads the time from the clock port and holds no
    // timers (lease renewal lives in the worker's LeaseKeeper), so a test can drive it with a
    // fake clock. Its tests may use real time.
    files: ['libs/engine/src/**/*.ts'],
    ignores: ['libs/engine/src/**/*.test.ts'],
    rules: {
      'no-restricted-globals': ['error', ...ENGINE_TIMERS.map((name) => ({ name, message: TIMER_MESSAGE }))],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: CLOCK_MESSAGE },
        { object: 'performance', property: 'now', message: CLOCK_MESSAGE },
        ...['globalThis', 'global'].flatMap((object) => ENGINE_TIMERS.map((property) => ({ object, property, message: TIMER_MESSAGE }))),
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: CLOCK_MESSAGE },
        { selector: "CallExpression[callee.name='Date']", message: CLOCK_MESSAGE },
      ],
    },
  },
  {
    files: ['libs/engine/src/**/*.test.ts', 'libs/handlers/src/**/*.test.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', ENGINE_TEST_BOUNDARIES],
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@wf/testkit', message: 'the engine\'s unit tests take only the pure @wf/testkit/definitions (no I/O)' }] },
      ],
    },
  },
  {
    // the definition builder stays pure: the engine's unit tests import it
    files: ['libs/testkit/src/definitions/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\./)', message: 'the definition builder imports nothing from outside its folder: the engine\'s unit tests use it' }] }],
    },
  },
  {
    // The web app (apps/web): React in the browser, under the same rules, plus the rules of hooks.
    files: ['apps/web/**/*.ts', 'apps/web/**/*.tsx'],
    plugins: { '@nx': nx, 'react-hooks': reactHooks },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      '@nx/enforce-module-boundaries': ['error', BOUNDARIES],
    },
  },
  {
    // CLIs and test helpers talk to the terminal on purpose.
    files: ['**/cli/**/*.ts', 'tools/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
];
