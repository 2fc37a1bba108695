import { defineConfig } from 'vitest/config';

// Tests run in forked processes: the wasm backend and tfjs's global engine are per process.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
