// Whether the machine has a `redis-server` to start (the suites about Redis itself need one).
// Plain CommonJS: jest.config.js reads it before anything is transformed.
/* eslint-disable @typescript-eslint/no-require-imports */
const { existsSync } = require('node:fs');
const { delimiter, join } = require('node:path');

function redisServerOnPath() {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, 'redis-server')));
}

module.exports = { redisServerOnPath };
