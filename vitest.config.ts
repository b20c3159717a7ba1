import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration suites start real OPC UA servers and brokers; two workers match the 2-core CI box.
    maxWorkers: 2,
  },
});
