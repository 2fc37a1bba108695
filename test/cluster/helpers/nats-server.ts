// A real `nats-server -js` for the tests: on a free port of 127.0.0.1, its store in a temporary
// folder, stoppable and restartable on the same port and store (a server restart). The binary is
// looked for on PATH, then in /usr/sbin and /usr/bin (.ci/run installs Debian's nats-server).

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The nats-server binary, or null when there is none. */
export function findNatsServer(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin'];
  for (const dir of dirs) if (dir !== '' && existsSync(join(dir, 'nats-server'))) return join(dir, 'nats-server');
  return null;
}

export const NATS_SERVER = findNatsServer();
export const SKIP_NATS = NATS_SERVER === null ? 'nats-server not found (apt-get install nats-server)' : null;

export interface TestNatsServer {
  readonly port: number;
  /** nats://127.0.0.1:port, with the credentials when the server has some. */
  readonly url: string;
  readonly dir: string;
  /** The server's process id (it changes with a restart). */
  readonly pid: number | undefined;
  /** Stops the server (SIGTERM, or SIGKILL), waiting for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port with the same store. */
  restart(): Promise<void>;
  /** Stops it and removes its store. */
  dispose(): Promise<void>;
}

export interface TestNatsServerOptions {
  readonly user?: string;
  readonly pass?: string;
}

function launch(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NATS_SERVER!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    const timer = setTimeout(() => reject(new Error(`nats-server did not start:\n${log}`)), 10_000);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      log += chunk;
      const port = /Listening for client connections on [^\s]+:(\d+)/.exec(log)?.[1];
      if (port !== undefined && /Server is ready/.test(log)) {
        clearTimeout(timer);
        resolve({ child, port: Number(port) });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited with ${code}:\n${log}`));
    });
  });
}

export async function startNatsServer(options: TestNatsServerOptions = {}): Promise<TestNatsServer> {
  if (NATS_SERVER === null) throw new Error(SKIP_NATS!);
  const dir = mkdtempSync(join(tmpdir(), 'tprop-nats-'));
  const auth = options.user === undefined ? [] : ['--user', options.user, '--pass', options.pass ?? ''];
  const argsFor = (port: number) => ['-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(port), ...auth];
  let { child, port } = await launch(argsFor(-1));
  const credentials = options.user === undefined ? '' : `${options.user}:${options.pass ?? ''}@`;
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };
  return {
    port,
    url: `nats://${credentials}127.0.0.1:${port}`,
    dir,
    get pid() {
      return child.pid;
    },
    stop,
    async restart() {
      await stop();
      ({ child } = await launch(argsFor(port)));
    },
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
