

// swc strips types only; `npm run typecheck` is the type gate.
const transform = {
  '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
};
// ESM-only dependencies are transformed to CommonJS for jest.
const transformIgnorePatterns = ['/node_modules/(?!(@marcbachmann/cel-js)/)'];
const moduleNameMapper = {
  '^@wf/(engine|db|runtime)/testing$': '<rootDir>/libs/$1/src/testing/index.ts',
  '^@wf/(engine|db|queue|runtime)$': '<rootDir>/libs/$1/src/index.ts',
};

/** @type {import('jest').Config} */
const config = {
  // a global option: per-project values are ignored
  testTimeout: 60000,
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
