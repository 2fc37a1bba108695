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

/** Describes a value for an error message without dumping large arrays (as src/errors.ts does). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (ArrayBuffer.isView(value)) {
    const length = (value as unknown as { length?: number }).length ?? value.byteLength;
    return `${value.constructor.name}(${length})`;
  }
  if (value instanceof Map) return `Map(${value.size})`;
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') {
    const keys = Object.keys(value as object);
    const shown = keys.slice(0, 8).join(', ') + (keys.length > 8 ? ', …' : '');
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
