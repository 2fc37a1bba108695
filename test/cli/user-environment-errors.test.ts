// Faults of a user's own environment code through the CLI: whatever the module's code throws (an
// Error or not, at import, in its factory, reset, step or close), a syntax error, a factory that
// builds nothing, an async step: one line `tprop: ERR_ENVIRONMENT: file:line:column: …`, exit 2,
// and with --verbose the stack of what was thrown below it. A TpropError of the user keeps its code.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli, stackLines } from './helpers/run-cli.js';
import { type UserModules, mapLimited, writeUserModules } from './helpers/user-modules.js';

interface Faults {
  readonly factory?: string;
  /** What step() does before reset(); the contract's StateError by default. */
  readonly beforeReset?: string;
  readonly reset?: string;
  readonly step?: string;
  readonly close?: string;
  readonly asyncStep?: boolean;
  readonly typeScript?: boolean;
}

// Episodes of 30 steps. The check before the run makes at most one unseeded reset after each
// seeded one; with --seed 1 the run's own reset 2 is transition 62, so `resets === 2` is the run's.
function environment(faults: Faults = {}): string {
  const options = faults.typeScript ? 'options?: { seed?: number }' : 'options';
  const first = "throw new StateError('ERR_RESET_NEEDED', 'test.step: expected reset() first')";
  return `import { StateError, discrete } from 'tprop';

export default function createEnvironment() {
  ${faults.factory ?? ''}
  let t = -1;
  let resets = 0;
  return {
    observationSpace: discrete(3),
    actionSpace: null,
    reset(${options}) {
      resets = options?.seed === undefined ? resets + 1 : 0;
      ${faults.reset ?? ''}
      t = 0;
      return { observation: 0, info: {} };
    },
    ${faults.asyncStep ? 'async ' : ''}step() {
      if (t < 0) ${faults.beforeReset ?? first};
      if (t >= 30) throw new StateError('ERR_EPISODE_ENDED', 'test.step: expected reset() after the end');
      t++;
      ${faults.step ?? ''}
      return { observation: t % 3, reward: 0, terminated: t >= 30, truncated: false, info: {} };
    },
    close() {
      ${faults.close ?? ''}
    },
  };
}
`;
}

/** In the run, the fifth step of its third episode: transition 67 (its resets are transitions 0, 31, 62). */
const IN_THE_RUN = 'if (resets === 2 && t === 5)';

interface Case {
  readonly title: string;
  readonly file: string;
  readonly source: string;
  /** The one line expected on stderr, given the module's path. */
  readonly line: (path: string) => string;
  /** What the user's code threw, as the first line of the stack --verbose shows; none for a value not an Error. */
  readonly thrown?: string;
  /** Where it was thrown (line:column), to be found among the frames --verbose shows. */
  readonly at?: string;
  readonly steps?: number;
  /** Also run with --verbose (a few of the cases: each run costs a process). */
  readonly verbose?: boolean;
}

/** `line:column` of `text` (its first occurrence) in `source`, both counted from 1 as stack frames count them. */
function locationOf(source: string, text: string): string {
  const lines = source.split('\n');
  const i = lines.findIndex((line) => line.includes(text));
  if (i < 0) throw new Error(`no ${JSON.stringify(text)} in the source`);
  return `${i + 1}:${lines[i]!.indexOf(text) + 1}`;
}

const STEP_TS = environment({ typeScript: true, step: `${IN_THE_RUN} throw new Error('step broke');` });
const RESET_JS = environment({ reset: "if (resets === 2) throw new RangeError('reset broke');" });
const FACTORY_JS = environment({ factory: "throw new Error('factory broke');" });
const CHECKED_JS = environment({ beforeReset: "throw new Error('call reset() first')" });
const CLOSE_JS = environment({ close: "throw new Error('close broke');" });
const IMPORT_JS = `const made = [];\nthrow new Error('import broke');\nexport default () => made;\n`;

const CASES: readonly Case[] = [
  {
    title: 'a step() that throws, at step N of the run (a TypeScript module, located through its source map)',
    file: 'step.ts',
    verbose: true,
    source: STEP_TS,
    line: (p) =>
      `${p}:${locationOf(STEP_TS, "new Error('step broke')")}: step() threw Error: step broke (at step 67 of the run)`,
    thrown: 'Error: step broke',
    at: locationOf(STEP_TS, "new Error('step broke')"),
  },
  {
    title: 'a reset() that throws',
    file: 'reset.js',
    source: RESET_JS,
    line: (p) =>
      `${p}:${locationOf(RESET_JS, 'new RangeError')}: reset() threw RangeError: reset broke (at step 62 of the run)`,
    thrown: 'RangeError: reset broke',
    at: locationOf(RESET_JS, 'new RangeError'),
  },
  {
    title: 'a factory that throws',
    file: 'factory.js',
    source: FACTORY_JS,
    line: (p) => `${p}:${locationOf(FACTORY_JS, "new Error('factory")}: the factory threw Error: factory broke`,
    thrown: 'Error: factory broke',
    at: locationOf(FACTORY_JS, "new Error('factory"),
  },
  {
    title: 'a step() that throws in the check before the run, with what the check expected',
    file: 'checked.js',
    source: CHECKED_JS,
    line: (p) =>
      `${p}:${locationOf(CHECKED_JS, "new Error('call")}: step() threw Error: call reset() first (in the check ` +
      'before the run: expected step() before reset() to throw StateError ERR_RESET_NEEDED)',
    thrown: 'Error: call reset() first',
    at: locationOf(CHECKED_JS, "new Error('call"),
  },
  {
    title: 'a module that throws when imported',
    file: 'import.js',
    verbose: true,
    source: IMPORT_JS,
    line: (p) => `${p}:2:7: importing the module threw Error: import broke`,
    thrown: 'Error: import broke',
    at: '2:7',
  },
  {
    // tsx reports the column from 0 ("2:20"); the line counts it from 1, as stack frames do.
    title: 'a syntax error in a TypeScript module',
    file: 'syntax-ts.ts',
    source: 'export default function createEnvironment(): number {\n  const x: number = ;\n  return x;\n}\n',
    line: (p) => `${p}:2:21: the module does not parse: Unexpected ";"`,
  },
  {
    title: 'a syntax error in a JavaScript module, where node reports it',
    file: 'syntax-js.js',
    verbose: true,
    source: 'export default function createEnvironment() {\n  return {{;\n}\n',
    line: (p) => `${p}:2:11: the module does not parse: Unexpected token '{'`,
  },
  ...(
    [
      ['null', 'null'],
      ['undefined', 'undefined'],
      ['{ reset: 1 }', 'an object (Object) with keys [reset]'],
    ] as const
  ).map(
    ([value, described], i): Case => ({
      title: `a factory that returns ${value}, not masked by the clean-up`,
      file: `returns-${i}.js`,
      source: `export default function createEnvironment() {\n  return ${value};\n}\n`,
      line: (p) => `${p}: expected the factory to return an environment with reset() and step(), but got ${described}`,
    }),
  ),
  {
    title: 'an async step(), whose rejected Promise is not reported a second time',
    file: 'async.js',
    verbose: true,
    source: environment({ asyncStep: true }),
    line: (p) =>
      `${p}: expected step() to return a result, but got a Promise (an environment is synchronous: step() must not ` +
      'be async)',
  },
  ...(
    [
      ['"boom"', '"boom"'],
      ['42', '42'],
      ['null', 'null'],
    ] as const
  ).map(
    ([value, described], i): Case => ({
      title: `a step() that throws ${value}, which is not an Error`,
      file: `value-${i}.js`,
      source: environment({ step: `${IN_THE_RUN} throw ${value};` }),
      verbose: i === 0,
      line: (p) => `${p}: step() threw ${described}, not an Error, so no stack tells where (at step 67 of the run)`,
    }),
  ),
  {
    title: 'a close() that throws, once the run is done',
    file: 'close.js',
    source: CLOSE_JS,
    line: (p) => `${p}:${locationOf(CLOSE_JS, "new Error('close")}: close() threw Error: close broke`,
    thrown: 'Error: close broke',
    at: locationOf(CLOSE_JS, "new Error('close"),
    steps: 5,
  },
];

const OWN_ERROR = environment({ step: `${IN_THE_RUN} throw new StateError('ERR_EPISODE_ENDED', 'mine.step: over');` });

let modules: UserModules;
/** The CLI's result for each file, plain (`file`) and with --verbose (`file --verbose`). */
const results = new Map<string, CliResult>();

beforeAll(async () => {
  modules = writeUserModules({
    ...Object.fromEntries(CASES.map((c) => [c.file, c.source])),
    'own-error.js': OWN_ERROR,
  });
  // Every case plainly, a few with --verbose: each run is a process that loads the engine, so they are counted.
  const runs = [
    ...CASES.map((c) => ({ file: c.file, steps: c.steps ?? 100, verbose: false })),
    ...CASES.filter((c) => c.verbose).map((c) => ({ file: c.file, steps: c.steps ?? 100, verbose: true })),
    { file: 'own-error.js', steps: 100, verbose: false },
  ];
  await mapLimited(runs, 4, async ({ file, steps, verbose }) => {
    const args = ['run', modules.path(file), '--steps', String(steps), '--seed', '1', '--json'];
    const result = await runCli(verbose ? [...args, '--verbose'] : args, { TPROP_QUIET: '1' });
    results.set(verbose ? `${file} --verbose` : file, result);
  });
});

afterAll(() => modules?.remove());

const stderrLines = (result: CliResult): string[] => result.stderr.split('\n').filter((line) => line.length > 0);

describe('tprop run <module>, faults of the module’s own code', () => {
  for (const c of CASES) {
    const also = c.verbose ? '; with --verbose, the stack of what it threw below' : '';
    it(`${c.title}: one line with ERR_ENVIRONMENT and the place, exit 2${also}`, () => {
      const plain = results.get(c.file)!;
      const line = `tprop: ERR_ENVIRONMENT: ${c.line(modules.path(c.file))}`;
      expect(plain.code, plain.stderr).toBe(2);
      expect(stderrLines(plain)).toEqual([line]);
      if (!c.verbose) return;
      const verbose = results.get(`${c.file} --verbose`)!;
      expect(verbose.code, verbose.stderr).toBe(2);
      const lines = stderrLines(verbose);
      expect(lines[0]).toBe(line);
      expect(lines.filter((l) => l.startsWith('tprop:'))).toHaveLength(1);
      expect(stackLines(verbose.stderr).length, verbose.stderr).toBeGreaterThan(0);
      if (c.thrown !== undefined) {
        expect(lines[1]).toBe(c.thrown);
        const frame = `${modules.path(c.file)}:${c.at}`;
        expect(
          stackLines(verbose.stderr).some((l) => l.includes(frame)),
          verbose.stderr,
        ).toBe(true);
      }
    });
  }

  it('keeps the code of a TpropError the module throws itself (its own StateError)', () => {
    const own = results.get('own-error.js')!;
    expect(own.code, own.stderr).toBe(2);
    expect(stderrLines(own)).toEqual(['tprop: ERR_EPISODE_ENDED: mine.step: over (at step 67 of the run)']);
  });
});
