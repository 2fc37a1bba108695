// Smoke tests of examples/: each demo runs as a child process, as a user would run it
// (`npx tsx examples/NAME.ts` with short flags; tsx is called directly, sparing npx's start-up), exits 0 and ends with
// its `result:` line.
// The custom environment is also imported as a module: it must pass checkEnvironment, run
// nothing on import, and keep its environment portion short enough for the README to quote.

import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { checkEnvironment, hasEnvironment } from '../../src/index.js';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TIMEOUT = 60_000;

/** Runs an example; resolves with its stdout (a non-zero exit rejects, with stderr in the error). */
async function example(name: string, ...flags: string[]): Promise<string> {
  const { stdout } = await run(join(root, 'node_modules', '.bin', 'tsx'), [join('examples', `${name}.ts`), ...flags], {
    cwd: root,
    timeout: TIMEOUT - 5_000,
    maxBuffer: 1 << 22,
  });
  return stdout;
}

/** The numbers of the one line matching `pattern` (which must match exactly one line). */
function numbers(stdout: string, pattern: RegExp): number[] {
  const lines = stdout.split('\n').filter((line) => pattern.test(line));
  expect(lines, `one line matching ${pattern} in:\n${stdout}`).toHaveLength(1);
  return lines[0]!.match(pattern)!.slice(1).map(Number);
}

describe('examples run and print their result', () => {
  it('sine-mixture', { timeout: TIMEOUT }, async () => {
    const out = await example('sine-mixture', '--steps', '300');
    const [error] = numbers(out, /^result: next\/squaredError (\d+\.\d+) over the last \d+ steps/);
    expect(error).toBeGreaterThanOrEqual(0);
  });

  it('reber-grammar', { timeout: TIMEOUT }, async () => {
    const out = await example('reber-grammar', '--steps', '300');
    const [legal, accuracy] = numbers(out, /^result: Reber-v0 legal (\d\.\d{3}) accuracy (\d\.\d{3}) /);
    expect(legal).toBeGreaterThanOrEqual(accuracy!);
  });

  it('reber-grammar --embedded', { timeout: TIMEOUT }, async () => {
    const out = await example('reber-grammar', '--embedded', '--steps', '300');
    const [, , critical] = numbers(
      out,
      /^result: EmbeddedReber-v0 legal (\d\.\d{3}) accuracy (\d\.\d{3}) critical (\d\.\d{3}) /,
    );
    expect(critical).toBeLessThanOrEqual(1);
  });

  it('text-stream', { timeout: TIMEOUT }, async () => {
    const out = await example('text-stream', '--steps', '300', '--sample', '20');
    const [accuracy, logLoss] = numbers(out, /^result: next\/accuracy (\d\.\d{3}) next\/logLoss (\d+\.\d{3}) nats/);
    expect(accuracy).toBeLessThanOrEqual(1);
    expect(logLoss).toBeGreaterThan(0);
    expect(out).toMatch(/^sample \(greedy, after the prompt "the whale"\): "[a-z .,;!?'-]{20}"$/m);
  });

  it('supervised-late-labels: late labels attach within the window', { timeout: TIMEOUT }, async () => {
    const out = await example('supervised-late-labels', '--steps', '300');
    const [drawn, delivered, never, inFlight] = numbers(
      out,
      /^labels: (\d+) drawn = (\d+) delivered \+ (\d+) never sent \+ (\d+) still in flight/,
    );
    expect(drawn).toBe(300);
    expect(delivered! + never! + inFlight!).toBe(drawn);
    const [attached, expired] = numbers(
      out,
      /^result: label\/lateAccuracy \d\.\d{3} \(last \d+ labels\) late\/attached (\d+) late\/expired (\d+)$/,
    );
    expect(attached! + expired!).toBe(delivered);
    expect(expired).toBe(0);
  });

  it('supervised-late-labels: labels later than the window expire', { timeout: TIMEOUT }, async () => {
    const out = await example('supervised-late-labels', '--steps', '300', '--delay', '20', '--window', '8');
    const [attached, expired] = numbers(
      out,
      /^result: label\/lateAccuracy n\/a .* late\/attached (\d+) late\/expired (\d+)$/,
    );
    expect(attached).toBe(0);
    expect(expired).toBeGreaterThan(0);
  });

  it('custom-environment', { timeout: TIMEOUT }, async () => {
    const out = await example('custom-environment', '--steps', '300');
    expect(out).toMatch(/^checkEnvironment: passed/m);
    numbers(out, /^result: Mine-v0 next\/squaredError (\d+\.\d+) over the last \d+ steps/);
  });

  it('push-source: every reading is learned from or dropped', { timeout: TIMEOUT }, async () => {
    const out = await example('push-source', '--steps', '300');
    const [received, learned, dropped] = numbers(
      out,
      /^result: received (\d+) learned (\d+) dropped (\d+) next\/squaredError \d+\.\d+/,
    );
    expect(received).toBe(300);
    expect(learned! + dropped!).toBe(received);
  });
});

describe('examples/custom-environment.ts as a module', () => {
  it('exports a factory that passes checkEnvironment, and runs nothing on import', async () => {
    const module = await import('../../examples/custom-environment.js');
    expect(module.default).toBe(module.createEnvironment);
    const report = checkEnvironment(() => module.createEnvironment());
    expect(report.steps).toBe(300);
    checkEnvironment(() => module.createEnvironment({ halfPeriod: 3, length: 20, noise: 0 }));
    expect(hasEnvironment('Mine-v0')).toBe(false);
  });

  it('keeps its environment portion (first export to the default export) under 40 lines', () => {
    const lines = readFileSync(join(root, 'examples', 'custom-environment.ts'), 'utf8').split('\n');
    const first = lines.findIndex((line) => line.startsWith('export '));
    const last = lines.findIndex((line) => line.startsWith('export default '));
    expect(first).toBeGreaterThanOrEqual(0);
    expect(last).toBeGreaterThan(first);
    expect(last - first + 1).toBeLessThan(40);
  });
});

it('no example draws from Math.random (seeded randomness only)', () => {
  const files = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.ts'));
  expect(files.length).toBeGreaterThanOrEqual(6);
  for (const file of files)
    expect(readFileSync(join(root, 'examples', file), 'utf8'), file).not.toMatch(/Math\.random/);
});
