// Runs the command line in a child process, as a person or a script would: `node cli/tprop.js`
// from the repository, with its output collected and its JSON lines parsed.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves with the first stdout line that parses as JSON and passes `test`. */
  waitForJson(test: (value: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  readonly exited: Promise<CliResult>;
}

/** Starts `tprop …args` from the repository root; stdin is closed, nothing is a terminal. */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, ['cli/tprop.js', ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: 'pipe',
  });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  const waiting = new Set<(line: Record<string, unknown>) => void>();
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue;
      }
      for (const listener of [...waiting]) listener(value as Record<string, unknown>);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const waitForJson = (
    test: (value: Record<string, unknown>) => boolean,
    timeoutMs = 30_000,
  ): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(listener);
        reject(new Error(`no matching JSON line within ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
      }, timeoutMs);
      const listener = (value: Record<string, unknown>): void => {
        if (!test(value)) return;
        clearTimeout(timer);
        waiting.delete(listener);
        resolve(value);
      };
      waiting.add(listener);
      void exited.then(() => {
        if (!waiting.has(listener)) return;
        clearTimeout(timer);
        waiting.delete(listener);
        reject(new Error(`the CLI exited before a matching JSON line; stdout:\n${stdout}\nstderr:\n${stderr}`));
      });
    });
  return { child, waitForJson, exited };
}

/** Runs `tprop …args` to its end. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return startCli(args, env).exited;
}

/** Every stdout line parsed as JSON; throws, naming the line, if one is not JSON. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`stdout line is not JSON: ${line}`);
      }
    });
}

/** Lines of stderr that look like a JavaScript stack frame. */
export function stackLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /^\s+at\s/.test(line));
}
