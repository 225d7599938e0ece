/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type-checking is done once by `tsc --noEmit` in `npm test`; here we only transpile.
    '^.+\\.tsx?$': [
      'ts-jest',
      { tsconfig: { module: 'commonjs', moduleResolution: 'node10', isolatedModules: true } },
    ],
  },
  moduleNameMapper: {
    '^#core/(.*)$': '<rootDir>/core/$1',
  },
  snapshotSerializers: ['<rootDir>/test/support/asset-hash-serializer.ts'],
  setupFiles: ['<rootDir>/test/support/env.ts'],
  // One folder per run for the cloud assemblies the local runtime's suites share (test/support/assembly.ts).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean'],
  testTimeout: 60_000,
  // One worker per core, and never in-band: the suites spend much of their time waiting on
  // emulators and processes. Measured on 2 cores: 1 worker (Jest's default there) 447 s,
  // 2 workers 246 s, 3 workers 270 s.
  maxWorkers: Math.max(2, require('node:os').availableParallelism()),
};
