// Starting the live viewer for a run from the command line: the flags become startViewer's
// options, its notices go to stderr, and a port that cannot be bound is a clear usage error.
// Whether --host is loopback is the server's own rule (isLoopbackHost), so the two cannot differ.

import { isLoopbackHost, startViewer, type RunController, type ViewerServer } from 'tprop/server';
import { CliError } from './cli-error.js';
import type { Interrupts } from './interrupts.js';
import type { ViewerFlags } from './run-options.js';

/** Serves the viewer of `run`; rejects with a CliError naming the flag to change when binding fails. */
export async function openViewer(
  run: RunController,
  flags: ViewerFlags,
  log: (line: string) => void,
): Promise<ViewerServer> {
  const { host, port, token } = flags;
  let viewer: ViewerServer;
  try {
    viewer = await startViewer(run, { host, port, token: token ?? null, log });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const where = `${host}:${port}`;
    if (code === 'EADDRINUSE') {
      throw new CliError(
        `--port: port ${port} on ${host} is in use (by another viewer?); choose another with --port N, or --port 0 ` +
          `for any free port`,
      );
    }
    if (code === 'EACCES')
      throw new CliError(
        `--port: not allowed to listen on ${where}; choose a port above 1023 with --port N, or --port 0`,
      );
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      throw new CliError(
        `--host: cannot listen on ${JSON.stringify(host)} (${code}); give an address of this machine, such as ` +
          `127.0.0.1 or 0.0.0.0`,
      );
    }
    throw error;
  }
  if (!isLoopbackHost(host)) {
    log(
      `tprop viewer: --host ${host} is not loopback (localhost, 127.0.0.0/8, ::1), so other machines may reach ` +
        `it; the page and every control need the token in the URL`,
    );
  }
  return viewer;
}

/**
 * After a run that ended by itself: with a viewer up and no --exit-when-done, says so and waits for
 * Ctrl-C (leaving a finished run's viewer is the expected way out, not an interruption: status 0).
 */
export async function holdViewer(
  viewer: ViewerServer | undefined,
  flags: ViewerFlags | null,
  stopping: Interrupts,
  log: (line: string) => void,
): Promise<void> {
  if (viewer === undefined || flags?.exitWhenDone === true) return;
  log(`tprop: the run has ended; the viewer stays up at ${viewer.url} until Ctrl-C`);
  await stopping.next();
}
