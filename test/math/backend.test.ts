import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs a snippet in a fresh process (the engine starts once per process). */
function node(code: string, env: Record<string, string>): { status: number; out: string } {
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      stdio: 'pipe',
    });
    return { status: 0, out };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { status: e.status, out: e.stdout + e.stderr };
  }
}

const start = `import { initEngine } from '${new URL('../../src/math/index.ts', import.meta.url).pathname}';
try { const name = await initEngine({ report: (l) => console.log(l) }); console.log('backend=' + name); }
catch (e) { console.log(e.code + ': ' + e.message); process.exit(3); }`;

describe('initEngine', () => {
  it('starts the best backend that loads and reports it once', () => {
    const { status, out } = node(start, { TPROP_BACKEND: '' });
    expect(status).toBe(0);
    expect(out).toMatch(/tprop: tensor backend "(tensorflow|wasm|cpu)"/);
    expect(out.match(/tprop: tensor backend/g)).toHaveLength(1);
  });

  it('honours TPROP_BACKEND', () => {
    expect(node(start, { TPROP_BACKEND: 'cpu' }).out).toContain('backend=cpu');
    expect(node(start, { TPROP_BACKEND: 'wasm' }).out).toContain('backend=wasm');
  });

  it('fails with ERR_BACKEND, not a silent fallback, when a forced backend cannot start or is unknown', () => {
    const unknown = node(start, { TPROP_BACKEND: 'gpu' });
    expect(unknown.status).toBe(3);
    expect(unknown.out).toContain(
      'ERR_BACKEND: initEngine: expected TPROP_BACKEND to be one of tensorflow, wasm, cpu, but got "gpu"',
    );
    let hasNode = true;
    try {
      execFileSync(process.execPath, ['-e', "require.resolve('@tensorflow/tfjs-node')"], { stdio: 'pipe' });
    } catch {
      hasNode = false;
    }
    if (!hasNode) {
      const forced = node(start, { TPROP_BACKEND: 'tensorflow' });
      expect(forced.status).toBe(3);
      expect(forced.out).toMatch(
        /^ERR_BACKEND: initEngine: expected backend "tensorflow" to start, but got tensorflow \(/m,
      );
    }
  });
});
