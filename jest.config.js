

/* eslint-disable @typescript-eslint/no-require-imports -- jest loads this file as CommonJS */
const { availableParallelism } = require('node:os');
const { redisServerOnPath } = require('./test/redis-binary');
/* eslint-enable @typescript-eslint/no-require-imports */

// swc strips types only; `npm run typecheck` is the type gate.
const transform = {
  '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
};
// ESM-only dependencies are transformed to CommonJS for jest.
const transformIgnorePatterns = ['/node_modules/(?!(@marcbachmann/cel-js|jose|openid-client|oauth4webapi)/)'];
const moduleNameMapper = {
  '^@wf/(engine|db|runtime)/testing$': '<rootDir>/libs/$1/src/testing/index.ts',
  '^@wf/(engine|db|queue|handlers|runtime|http)$': '<rootDir>/libs/$1/src/index.ts',
  '^@wf/testkit$': '<rootDir>/libs/testkit/src/index.ts',
  '^@wf/testkit/definitions$': '<rootDir>/libs/testkit/src/definitions/index.ts',
};

// The suites about Redis itself (outage, flush, restart) start the machine's redis-server.
const REDIS_SUITES = '\\.redis\\.int\\.test\\.ts$';
const withRedisSuites = redisServerOnPath();
if (!withRedisSuites && process.argv.some((a) => a.includes('integration'))) {
  process.stderr.write('no redis-server on the PATH: leaving out the suites that break Redis (*.redis.int.test.ts); the rest runs\n');
}

// The integration suites that go through the queue, run a second time on BullMQ's PostgreSQL
// backend (the first run uses Redis wherever one answers): one contract, two implementations.
const QUEUE_CONTRACT_SUITES = [
  'apps/api/src/e2e/purchase-order',
  'apps/api/src/e2e/node-types',
  'apps/api/src/e2e/time',
  'apps/api/src/e2e/worker-faults',
  'apps/api/src/e2e/inline-steps',
  'apps/api/src/e2e/retry-and-trees',
  'apps/api/src/e2e/step-attempts',
  'apps/api/src/e2e/tenant-fairness',
  'apps/api/src/e2e/cron-notify',
  'apps/api/src/e2e/process-lifecycle',
  'apps/api/src/e2e/bull-board.browser',
  'apps/api/src/e2e/graphql/graphql-subscription',
  'libs/runtime/src/roles/node-worker-share',
].map((path) => `<rootDir>/${path}.int.test.ts`);

const integration = {
  transform,
  transformIgnorePatterns,
  moduleNameMapper,
  // node, plus a check that each file closes every connection it opens
  testEnvironment: '<rootDir>/test/leak-check-environment.ts',
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
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
      ...integration,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.int.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...(withRedisSuites ? [] : [REDIS_SUITES])],
    },
    {
      ...integration,
      displayName: 'integration:postgres-queue',
      testMatch: QUEUE_CONTRACT_SUITES,
      // read by the environment: the harness and the engines it starts use this backend
      testEnvironmentOptions: { queueBackend: 'postgres' },
    },
  ],
};

module.exports = config;
