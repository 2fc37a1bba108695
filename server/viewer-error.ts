// The viewer's own error class. server/ must not load src/ at run time (that would start the
// tensor engine), so this mirrors src/errors.ts's codes instead of importing its classes.

/** Codes the viewer raises; the same strings as src/errors.ts's `ErrorCode`s. */
export type ViewerErrorCode = 'ERR_PROTOCOL' | 'ERR_UNAUTHORIZED' | 'ERR_INVALID_OPTION';

/** A fault the viewer reports: thrown for misuse at construction, sent as an `error` reply otherwise. */
export class ViewerError extends Error {
  /** Stable across versions; match on it, not on the message. */
  readonly code: ViewerErrorCode;

  constructor(code: ViewerErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = 'ViewerError';
  }
}

/**
 * A ViewerError for a client's fault. It is answered, never logged, so it skips capturing a stack,
 * which would be the dearest part of answering a flood of bad messages.
 */
export function clientFault(code: ViewerErrorCode, message: string): ViewerError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new ViewerError(code, message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Characters of a client's string an error message quotes at most. */
const QUOTED_CHARS = 40;
/** Characters an `error` reply's message has at most, whatever was thrown. */
export const MAX_ERROR_MESSAGE = 300;

const cut = (text: string) => (text.length > QUOTED_CHARS ? `${text.slice(0, QUOTED_CHARS)}…` : text);

/** A string as an error message quotes it: JSON-quoted, cut to its first 40 characters. */
export function quote(text: string): string {
  return JSON.stringify(cut(text));
}

/** Cuts a message to MAX_ERROR_MESSAGE characters, so no reply grows with what the client sent. */
export function boundedMessage(message: string): string {
  return message.length > MAX_ERROR_MESSAGE ? `${message.slice(0, MAX_ERROR_MESSAGE - 1)}…` : message;
}

/**
 * Describes a value for an error message without dumping it: arrays and maps by size, strings
 * and keys cut (as src/errors.ts does). Never converts a BigInt to decimal, which is quadratic.
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (ArrayBuffer.isView(value)) {
    const length = (value as unknown as { length?: number }).length ?? value.byteLength;
    return `${value.constructor.name}(${length})`;
  }
  if (value instanceof Map) return `Map(${value.size})`;
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'bigint') return 'a BigInt';
  if (typeof value === 'object') {
    const keys = Object.keys(value as object);
    const shown = keys.slice(0, 8).map(cut).join(', ') + (keys.length > 8 ? ', …' : '');
    return `object with keys [${shown}]`;
  }
  if (typeof value === 'function') return 'a function';
  return String(value);
}

/** Reads a stable code off anything thrown, for `error` replies; 'ERR_RUN' when there is none. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : 'ERR_RUN';
}

/** The message of anything thrown, for logs and `error` replies. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
