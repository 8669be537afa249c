

// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest loads this file as CommonJS
const { availableParallelism } = require('node:os');

// swc strips types only; `npm run typecheck` is the type gate.
const transform = {
  '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
};
// ESM-only dependencies are transformed to CommonJS for jest.
const transformIgnorePatterns = ['/node_modules/(?!(@marcbachmann/cel-js)/)'];
const moduleNameMapper = {
  '^@wf/(engine|db|runtime)/testing$': '<rootDir>/libs/$1/src/testing/index.ts',
  '^@wf/(engine|db|queue|handlers|runtime|http)$': '<rootDir>/libs/$1/src/index.ts',
  '^@wf/testkit$': '<rootDir>/libs/testkit/src/index.ts',
  '^@wf/testkit/definitions$': '<rootDir>/libs/testkit/src/definitions/index.ts',
};

/** @type {import('jest').Config} */
const config = {
  // a global option: per-project values are ignored
  testTimeout: 60000,
  // Integration files mostly wait (on Postgres, Redis, child processes, timers), so two run well
  // side by side even on two cores, where jest's default (cores - 1) runs them one at a time. At
  // most 4: each file's engine holds about a dozen Postgres connections.
  maxWorkers: Math.min(4, Math.max(2, availableParallelism())),
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.test.ts'],
      testPathIgnorePatterns: ['\\.int\\.test\\.ts$', '/node_modules/'],
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      testEnvironment: 'node',
    },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.int.test.ts'],
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      // node, plus a check that each file closes every connection it opens
      testEnvironment: '<rootDir>/test/leak-check-environment.ts',
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
  ],
};

module.exports = config;
