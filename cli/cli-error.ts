// How the command line fails: a fault of the user (a bad flag, config, environment or checkpoint,
// a throw of their environment's code) is one line `tprop: ERR_CODE: message` and exit 2, its stack
// below with --verbose; anything else prints its stack and exits 1.

import type { ErrorCode } from 'tprop';

/** A misuse of the command line itself, with the code of tprop's error family it falls under. */
export class CliError extends Error {
  readonly code: ErrorCode;

  constructor(message: string, code: ErrorCode = 'ERR_INVALID_OPTION') {
    super(message);
    this.code = code;
    this.name = 'CliError';
  }
}

export const EXIT = Object.freeze({ ok: 0, unexpected: 1, userError: 2, interrupted: 130, terminated: 143 });

// A Record, so that a code added to tprop's ErrorCode fails type-checking here until listed.
// Matching codes rather than classes also covers the viewer's ViewerError, which mirrors them.
const USER_CODES: Readonly<Record<ErrorCode, true>> = {
  ERR_INVALID_OPTION: true,
  ERR_SHAPE_MISMATCH: true,
  ERR_NON_FINITE: true,
  ERR_DISPOSED: true,
  ERR_RESET_NEEDED: true,
  ERR_EPISODE_ENDED: true,
  ERR_NO_OBSERVATION: true,
  ERR_BACKEND: true,
  ERR_UNKNOWN_ID: true,
  ERR_PROTOCOL: true,
  ERR_UNAUTHORIZED: true,
  ERR_CHECKPOINT_CORRUPT: true,
  ERR_CHECKPOINT_VERSION: true,
  ERR_CHECKPOINT_MISMATCH: true,
  ERR_ENVIRONMENT: true,
  ERR_AGENT: true,
  ERR_DATA: true,
  ERR_NATS_CONNECT: true,
  ERR_NATS_AUTH: true,
  ERR_NATS_TIMEOUT: true,
  ERR_NATS_FENCED: true,
  ERR_NATS: true,
  ERR_WORKER: true,
};

/** The stable code of a user-caused fault (a TpropError, ViewerError or CliError), else null. */
export function userErrorCode(error: unknown): ErrorCode | null {
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && Object.hasOwn(USER_CODES, code) ? (code as ErrorCode) : null;
}

/**
 * Writes `error` to stderr in the form its kind calls for and returns the exit status; `verbose`
 * adds the stack below a user's error (for a throw of their code, the stack of what it threw).
 */
export function reportError(
  error: unknown,
  write: (text: string) => void = (text) => process.stderr.write(text),
  verbose = false,
): number {
  const code = userErrorCode(error);
  if (code !== null) {
    const message = (error as Error).message.replace(/\s*\n\s*/g, ' ');
    const stack = verbose ? (error as Error).stack : undefined;
    write(`tprop: ${code}: ${message}\n${stack === undefined ? '' : `${stack}\n`}`);
    return EXIT.userError;
  }
  const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  write(`tprop: unexpected error\n${detail}\n`);
  return EXIT.unexpected;
}
