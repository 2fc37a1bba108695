// The error family of tprop: every fault a user can cause has a class and a stable `code`.
// Messages read `Where.method: expected X, but got Y`, after tfjs's argument errors.

export type ErrorCode =
  | 'ERR_INVALID_OPTION'
  | 'ERR_SHAPE_MISMATCH'
  | 'ERR_NON_FINITE'
  | 'ERR_DISPOSED'
  | 'ERR_RESET_NEEDED'
  | 'ERR_EPISODE_ENDED'
  | 'ERR_NO_OBSERVATION'
  | 'ERR_BACKEND'
  | 'ERR_UNKNOWN_ID'
  | 'ERR_PROTOCOL'
  | 'ERR_UNAUTHORIZED'
  | 'ERR_CHECKPOINT_CORRUPT'
  | 'ERR_CHECKPOINT_VERSION'
  | 'ERR_CHECKPOINT_MISMATCH'
  | 'ERR_ENVIRONMENT'
  | 'ERR_AGENT'
  | 'ERR_DATA'
  | 'ERR_NATS_CONNECT'
  | 'ERR_NATS_AUTH'
  | 'ERR_NATS_TIMEOUT'
  | 'ERR_NATS_FENCED'
  | 'ERR_NATS'
  | 'ERR_WORKER';

/** Base class: `code` is stable across versions; match on it, not on the message. */
export class TpropError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** An option or argument outside its documented domain; thrown at construction. */
export class InvalidOptionError extends TpropError {
  constructor(message: string) {
    super('ERR_INVALID_OPTION', message);
  }
}

/** A value of the wrong size or shape (an observation, a label, a checkpointed weight). */
export class ShapeMismatchError extends TpropError {
  constructor(message: string) {
    super('ERR_SHAPE_MISMATCH', message);
  }
}

/** NaN or ±Infinity where a finite number was required. */
export class NonFiniteError extends TpropError {
  constructor(message: string) {
    super('ERR_NON_FINITE', message);
  }
}

/** A call that the object's life cycle does not allow (disposed, not reset, episode over, nothing observed). */
export class StateError extends TpropError {
  constructor(code: 'ERR_DISPOSED' | 'ERR_RESET_NEEDED' | 'ERR_EPISODE_ENDED' | 'ERR_NO_OBSERVATION', message: string) {
    super(code, message);
  }
}

/** The tensor engine could not start the backend that was asked for. */
export class BackendError extends TpropError {
  constructor(message: string) {
    super('ERR_BACKEND', message);
  }
}

/** A registry lookup (environment, agent) for an id that is not registered. */
export class UnknownIdError extends TpropError {
  constructor(message: string) {
    super('ERR_UNKNOWN_ID', message);
  }
}

/** An environment broke its contract (wrong observation, step after the end, ...). */
export class EnvironmentError extends TpropError {
  constructor(message: string) {
    super('ERR_ENVIRONMENT', message);
  }
}

/** An agent broke its contract (found by checkAgent). */
export class AgentError extends TpropError {
  constructor(message: string) {
    super('ERR_AGENT', message);
  }
}

/**
 * A data file or value that cannot be read as asked: malformed CSV or JSON lines, a column that
 * is not there, a cell that is not a number, a timestamp that is not a time.
 */
export class DataError extends TpropError {
  constructor(message: string) {
    super('ERR_DATA', message);
  }
}

/** The codes of CheckpointError: ERR_NON_FINITE for a well-formed checkpoint holding NaN or ±Infinity. */
export type CheckpointErrorCode =
  | 'ERR_CHECKPOINT_CORRUPT'
  | 'ERR_CHECKPOINT_VERSION'
  | 'ERR_CHECKPOINT_MISMATCH'
  | 'ERR_NON_FINITE';

/**
 * A checkpoint that cannot be read or restored: truncated, corrupted, malformed, another format,
 * another agent or environment, or non-finite values where weights or counters belong.
 */
export class CheckpointError extends TpropError {
  constructor(code: CheckpointErrorCode, message: string) {
    super(code, message);
  }
}

/** A malformed, unknown or unauthorised message on the viewer's socket. */
export class ProtocolError extends TpropError {
  constructor(code: 'ERR_PROTOCOL' | 'ERR_UNAUTHORIZED', message: string) {
    super(code, message);
  }
}

/** Describes a value for an error message without dumping large arrays. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    const length = (value as unknown as { length?: number }).length ?? value.byteLength;
    return `${name}(${length})`;
  }
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return `object with keys [${Object.keys(value as object).join(', ')}]`;
  return String(value);
}
