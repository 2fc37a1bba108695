import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const MATH = new URL('../../src/math/index.ts', import.meta.url).pathname;

/** Runs a snippet in a fresh process (the engine starts once per process). */
function node(code: string, env: Record<string, string>): { status: number | null; out: string; stderr: string } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    env: { ...process.env, TPROP_QUIET: '', ...env },
    encoding: 'utf8',
  });
  return { status: child.status, out: child.stdout + child.stderr, stderr: child.stderr };
}

const start = `import { initEngine } from '${MATH}';
try { const name = await initEngine({ report: (l) => console.log(l) }); console.log('backend=' + name); }
catch (e) { console.log(e.code + ': ' + e.message); process.exit(3); }`;

/** A user's script: the engine starts with its default report on stderr, then something fails. */
const failing = (failure: string): string => `import { initEngine } from '${MATH}';
await initEngine();
${failure}`;

describe('initEngine', () => {
  it('starts the best backend that loads and reports it in one quiet line', () => {
    const { status, out } = node(start, { TPROP_BACKEND: '' });
    expect(status).toBe(0);
    expect(out).toMatch(/^tprop: backend (tensorflow|wasm|cpu)\b/m);
    expect(out.match(/tprop: backend/g)).toHaveLength(1);
    // tfjs-node missing is the usual case here, not an error: no stack, no "Cannot find package".
    expect(out).not.toMatch(/Cannot find|unavailable/);
  });

  it('honours TPROP_BACKEND', () => {
    const cpu = node(start, { TPROP_BACKEND: 'cpu' }).out;
    expect(cpu).toContain('backend=cpu');
    expect(cpu).toContain('tprop: backend cpu (forced by TPROP_BACKEND)');
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
      // The real reason stays in the error of a forced backend.
      const forced = node(start, { TPROP_BACKEND: 'tensorflow' });
      expect(forced.status).toBe(3);
      expect(forced.out).toMatch(
        /^ERR_BACKEND: initEngine: expected backend "tensorflow" to start, but got tensorflow \(/m,
      );
      expect(forced.out).toContain("Cannot find package '@tensorflow/tfjs-node'");
    }
  });

  it('is silent with TPROP_QUIET=1 or { quiet: true }', () => {
    const quietEnv = node(failing("console.log('ok');"), { TPROP_QUIET: '1' });
    expect(quietEnv.status).toBe(0);
    expect(quietEnv.stderr).toBe('');
    const quietOption = node(
      `import { initEngine } from '${MATH}';
await initEngine({ quiet: true, report: (l) => console.log(l) });
console.log('ok');`,
      {},
    );
    expect(quietOption.out).toBe('ok\n');
  });
});

describe('a failure after initEngine()', () => {
  // The wasm backend's emscripten module installs process handlers that printed its ~40 KB
  // minified source and exited with 7; what a user sees must be Node's own report.
  it('an uncaught error prints the error and its stack, in under 2 KB, and exits with 1', () => {
    const { status, stderr } = node(failing("throw new Error('boom in a user script');"), {});
    expect(status).toBe(1);
    expect(stderr.length).toBeLessThan(2048);
    expect(stderr).toContain('Error: boom in a user script');
    expect(stderr).toMatch(/^\s+at .*eval/m);
  });

  it('an unhandled rejection prints the error and its stack, in under 2 KB, and exits with 1', () => {
    const { status, stderr } = node(failing("Promise.reject(new Error('rejected in a user script'));"), {});
    expect(status).toBe(1);
    expect(stderr.length).toBeLessThan(2048);
    expect(stderr).toContain('Error: rejected in a user script');
    expect(stderr).toMatch(/^\s+at .*eval/m);
  });

  it('keeps handlers the program installed before the engine started', () => {
    const code = `process.on('uncaughtException', (e) => { console.log('mine: ' + e.message); process.exit(5); });
const { initEngine } = await import('${MATH}');
await initEngine({ quiet: true });
setTimeout(() => { throw new Error('late'); });`;
    const { status, out } = node(code, {});
    expect(out).toBe('mine: late\n');
    expect(status).toBe(5);
  });
});
