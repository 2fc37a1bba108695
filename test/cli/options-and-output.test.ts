// The CLI's pure parts, in process: flag validation, the main metric per agent, the progress
// lines for people and for programs, and how errors become exit statuses.

import { describe, expect, it } from 'vitest';
import { CliError, EXIT, reportError, userErrorCode } from '../../cli/cli-error.js';
import { formatMetric, mainMetric } from '../../cli/main-metric.js';
import { JsonProgress } from '../../cli/progress.js';
import { parseRunArgs, type RunOptions } from '../../cli/run-options.js';
import { TextProgress } from '../../cli/text-progress.js';

function options(args: string[]): RunOptions {
  const parsed = parseRunArgs(args);
  if (parsed.help) throw new Error('unexpected help');
  return parsed.options;
}

describe('parseRunArgs', () => {
  it('reads every flag into typed options, with the viewer defaults', () => {
    const o = options([
      'Reber-v0',
      '--steps',
      '10',
      '--episodes',
      '2',
      '--seed',
      '-3',
      '--env-options',
      '{"a":1}',
      '--json',
      '--viewer',
      '--port',
      '0',
    ]);
    expect(o).toMatchObject({
      environment: 'Reber-v0',
      steps: 10,
      episodes: 2,
      seed: -3,
      envOptions: { a: 1 },
      json: true,
      frameMs: 16,
    });
    expect(o.viewer).toEqual({ host: '127.0.0.1', port: 0, token: undefined, exitWhenDone: false });
    expect(options(['./env.ts'])).toMatchObject({ viewer: null, frameMs: 1000, steps: undefined, agent: undefined });
    expect(parseRunArgs(['--help'])).toEqual({ help: true });
  });

  it('names the flag and the value on every misuse', () => {
    const cases: Array<[string[], RegExp]> = [
      [['Reber-v0', '--steps', '0'], /--steps: expected an integer >= 1, but got "0"/],
      [['Reber-v0', '--steps', '1.5'], /--steps: expected an integer >= 1/],
      [['Reber-v0', '--viewer', '--port', '70000'], /--port: expected an integer in \[0, 65535\]/],
      [['Reber-v0', '--frame-ms', '-1'], /--frame-ms: expected a number of milliseconds >= 0/],
      [['Reber-v0', '--env-options', '{oops'], /--env-options: expected a JSON object/],
      [['Reber-v0', '--token', 'abcdefgh'], /--token: only applies with --viewer/],
      [['Reber-v0', '--load', 'a', '--config', 'b'], /--config: cannot be combined with --load/],
      [['Reber-v0', 'Periodic-v0'], /expected one environment .* but got "Reber-v0", "Periodic-v0"/],
      [['Reber-v0', '--steps'], /run: .*--steps/],
    ];
    for (const [args, message] of cases) {
      expect(() => parseRunArgs(args), args.join(' ')).toThrow(message);
      try {
        parseRunArgs(args);
      } catch (error) {
        expect(userErrorCode(error)).toBe('ERR_INVALID_OPTION');
      }
    }
  });
});

describe('mainMetric', () => {
  it('prefers what a sequence learner is judged by, then any accuracy or error', () => {
    expect(mainMetric({})).toBeNull();
    expect(mainMetric({ 'next/accuracy': 0.5, 'next/legal': 0.9, 'next/critical': 0.4 })).toBe('next/critical');
    expect(mainMetric({ 'next/accuracy': 0.5, 'next/legal': 0.9 })).toBe('next/legal');
    expect(mainMetric({ 'next/accuracy': 0.5, 'label/accuracy': 0.7 })).toBe('label/accuracy');
    expect(mainMetric({ 'next/logLoss': 1, 'label/squaredError': 0.1 })).toBe('label/squaredError');
    expect(mainMetric({ 'x/logLoss': 1, 'signal/accuracy': 0.2 })).toBe('signal/accuracy');
    expect(mainMetric({ 'b/logLoss': 1, 'a/logLoss': 2 })).toBe('a/logLoss');
    expect([formatMetric(0.86134), formatMetric(1.16111), formatMetric(0.0000123), formatMetric(0)]).toEqual([
      '0.8613',
      '1.161',
      '1.230e-5',
      '0',
    ]);
  });
});

describe('progress output', () => {
  const sample = {
    step: 500,
    total: 1000,
    stepsPerSecond: 412.37,
    metrics: { 'next/legal': 0.8, 'next/accuracy': 0.5 },
  };
  const summary = {
    steps: 1000,
    metrics: sample.metrics,
    seconds: 2,
    environment: 'Reber-v0',
    agent: 'predictive',
    interrupted: false,
  };

  it('--json: progress, viewer and final lines, each one JSON object', () => {
    const out: string[] = [];
    const err: string[] = [];
    const json = new JsonProgress(
      (t) => out.push(t),
      (t) => err.push(t),
    );
    json.viewer('http://127.0.0.1:1/');
    json.progress(sample);
    json.notice('a notice');
    json.done(summary);
    expect(out.map((line) => JSON.parse(line))).toEqual([
      { viewer: 'http://127.0.0.1:1/' },
      { step: 500, stepsPerSecond: 412.4, metrics: sample.metrics },
      { done: true, steps: 1000, metrics: sample.metrics },
    ]);
    expect(err).toEqual(['a notice\n']);
  });

  it('on a terminal: one bar redrawn in place, erased before a notice and the summary', () => {
    const out: string[] = [];
    const err: string[] = [];
    const text = new TextProgress({ tty: true, columns: 100, out: (t) => out.push(t), err: (t) => err.push(t) });
    text.progress(sample);
    text.notice('tprop viewer: http://127.0.0.1:1/');
    text.done(summary);
    expect(err[0]).toBe('\r\x1b[2K[############------------] step 500/1,000  412 steps/s  next/legal 0.8000');
    expect(err[1]).toBe(`\r\x1b[2Ktprop viewer: http://127.0.0.1:1/\n${err[0]!.slice(5)}`);
    expect(err[2]).toBe('\r\x1b[2K');
    expect(out.join('')).toBe(
      'Reber-v0, predictive agent: done: 1,000 steps in 2.0 s (500 steps/s)\n  next/accuracy  0.5000\n  next/legal  ' +
        '   0.8000  (main)\n',
    );
  });

  it('elsewhere: plain lines, no control characters', () => {
    const err: string[] = [];
    const text = new TextProgress({ tty: false, err: (t) => err.push(t), out: () => undefined });
    text.progress({ ...sample, total: null });
    expect(err).toEqual(['tprop: step 500  412 steps/s  next/legal 0.8000\n']);
    expect(text.intervalMs).toBeGreaterThanOrEqual(1000);
  });
});

describe('reportError', () => {
  it('gives a user fault one line and status 2, anything else its stack and status 1', () => {
    const lines: string[] = [];
    expect(reportError(new CliError('--steps: bad\nvery bad'), (t) => lines.push(t))).toBe(EXIT.userError);
    expect(lines).toEqual(['tprop: ERR_INVALID_OPTION: --steps: bad very bad\n']);
    const viewerLike = Object.assign(new Error('startViewer: bad token'), { code: 'ERR_INVALID_OPTION' });
    expect(userErrorCode(viewerLike)).toBe('ERR_INVALID_OPTION');
    expect(userErrorCode(Object.assign(new Error('node'), { code: 'ERR_MODULE_NOT_FOUND' }))).toBeNull();
    lines.length = 0;
    expect(reportError(new TypeError('boom'), (t) => lines.push(t))).toBe(EXIT.unexpected);
    expect(lines[0]).toMatch(/^tprop: unexpected error\nTypeError: boom\n\s+at /);
  });
});

describe('usageOf', () => {
  it('gives each command its text, and the main text otherwise', async () => {
    const { usageOf, MAIN_USAGE, RUN_USAGE, LIST_USAGE } = await import('../../cli/usage.js');
    expect([usageOf('run'), usageOf('list'), usageOf(undefined), usageOf('nope')]).toEqual([
      RUN_USAGE,
      LIST_USAGE,
      MAIN_USAGE,
      MAIN_USAGE,
    ]);
  });
});
