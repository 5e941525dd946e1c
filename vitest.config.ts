import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Each file loads the real model (~1 s); two workers match the two cores.
    pool: 'forks',
    maxWorkers: 2,
  },
});
