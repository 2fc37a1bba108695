import { defineConfig } from 'vitest/config';

// Tests run in forked processes: the wasm backend and tfjs's global engine are per process.
// `tprop` and `tprop/…` resolve to the sources through tsconfig.json's paths, as under tsc and
// tsx; the package's exports name dist/, which only `npm run build` makes.
export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Both cores of the 2-core machines (vitest's default leaves one idle): 210 s against 316 s
    // for the whole suite, measured 2026-12-03.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
