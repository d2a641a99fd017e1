// Three projects: unit tests need nothing but Node; integration tests use the real
// PostgreSQL and Redis on the machine (see test/support/global-setup.ts); browser tests
// also drive Debian's chromium through playwright-core (test/browser/support).
// Compiler settings live in .swcrc (also used by scripts/ts-register.js).
const swcrc = JSON.parse(require('node:fs').readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swcrc.$schema;
const swc = ['@swc/jest', { ...swcrc, swcrc: false }];
const aliases = {
  '^@pcn/testing(|/.*)$': '<rootDir>/test/support$1',
  '^@pcn/([a-z-]+)(|/.*)$': '<rootDir>/libs/$1/src$2',
};
const shared = {
  rootDir: __dirname,
  transform: { '^.+\\.(t|j|mj)s$': swc },
  // NestJS 12 ships ESM only; Jest on Node 20 has to transform it.
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|openid-client|oauth4webapi|jose|oidc-provider)/)'],
  moduleNameMapper: aliases,
  testEnvironment: 'node',
  // Decorator metadata (class-validator, TypeORM, Nest) needs this loaded before any class is defined.
  setupFiles: ['reflect-metadata'],
};
module.exports = {
  // Integration tests start real apps and some hooks drive a whole approval round with the
  // worker (sealing included): on 2 busy cores that has taken over a minute, so hooks get 3.
  testTimeout: 180000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts', '<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      ...shared,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      // A journey clicks through dozens of pages, each checked with axe (testTimeout is not a
      // per-project option, so the setup file raises it).
      setupFilesAfterEnv: ['<rootDir>/test/browser/support/browser-timeout.ts'],
    },
    {
      // Fault drills (npm run test:faults): real API and worker processes on a private
      // PostgreSQL and Redis that the drills kill, stop and restart; no shared databases,
      // so no global setup. Not matched by the projects above (*.faults-spec.ts).
      ...shared,
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.faults-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/faults/support/faults-timeout.ts'],
    },
  ],
};
