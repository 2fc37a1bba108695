import { defineConfig } from 'vitest/config';

// Tests run in forked processes: the wasm backend and tfjs's global engine are per process.
// `tprop` and `tprop/…` resolve to the sources through tsconfig.json's paths, as under tsc and
// tsx; the package's exports name dist/, which only `npm run build` makes.
export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
