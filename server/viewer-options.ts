// Options of the viewer server: one object of defaults and one validator, run in the
// constructor so that misuse throws at once, naming the option, what was wanted and what came.

import { ViewerError, describeValue } from './viewer-error.js';
import { MAX_RATE, MIN_RATE } from './protocol.js';

export interface ViewerOptions {
  /** Interface to bind; a host that is not loopback (see isLoopbackHost) requires a token, generated if absent. */
  readonly host?: string;
  /** TCP port; 0 picks any free port. */
  readonly port?: number;
  /** Shared secret for the socket and for control messages; URL-safe, 8 to 128 characters. */
  readonly token?: string | null;
  /** Ping interval; a client that has not answered the previous ping by the next is dropped. */
  readonly heartbeatMs?: number;
  /** Largest message a client may send, in bytes; larger ones close its connection (1009). */
  readonly maxPayload?: number;
  /** Per-client high-water mark of `bufferedAmount`; above it frames for that client are dropped. */
  readonly maxBufferedBytes?: number;
  /** Frames per second a client gets until it asks for another rate. */
  readonly defaultRate?: number;
  /**
   * Each connection's message budget in units per second, a message costing one unit per started
   * KiB; past it, a client's messages wait for it to refill (a fifth of it may be spent at once).
   */
  readonly messagesPerSecond?: number;
  /** Where the viewer writes its one-line notices (the URL, refusals, client faults). */
  readonly log?: (line: string) => void;
}

export interface ResolvedViewerOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string | null;
  readonly heartbeatMs: number;
  readonly maxPayload: number;
  readonly maxBufferedBytes: number;
  readonly defaultRate: number;
  readonly messagesPerSecond: number;
  readonly log: (line: string) => void;
}

export const VIEWER_DEFAULTS: ResolvedViewerOptions = Object.freeze({
  host: '127.0.0.1',
  port: 8080,
  token: null,
  heartbeatMs: 30_000,
  maxPayload: 64 * 1024,
  maxBufferedBytes: 1024 * 1024,
  defaultRate: 10,
  messagesPerSecond: 200,
  log: (line: string) => console.log(line),
});

const WHERE = 'startViewer';
const TOKEN_PATTERN = /^[A-Za-z0-9._~-]{8,128}$/;

function invalid(name: string, wanted: string, value: unknown): ViewerError {
  return new ViewerError(
    'ERR_INVALID_OPTION',
    `${WHERE}: expected option "${name}" to be ${wanted}, but got ${describeValue(value)}`,
  );
}

function integer(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(name, `an integer in [${min}, ${max}]`, value);
  }
  return value;
}

/** Fills in defaults and checks every option; throws ERR_INVALID_OPTION on the first bad one. */
export function viewerOptions(options: ViewerOptions = {}): ResolvedViewerOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ViewerError(
      'ERR_INVALID_OPTION',
      `${WHERE}: expected an options object, but got ${describeValue(options)}`,
    );
  }
  const allowed = Object.keys(VIEWER_DEFAULTS);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new ViewerError(
        'ERR_INVALID_OPTION',
        `${WHERE}: expected options among [${allowed.join(', ')}], but got unknown option "${key}"`,
      );
    }
  }
  const {
    host = VIEWER_DEFAULTS.host,
    token = null,
    log = VIEWER_DEFAULTS.log,
    defaultRate = VIEWER_DEFAULTS.defaultRate,
  } = options;
  if (typeof host !== 'string' || host.length === 0 || /[\s/?#@]/.test(host)) {
    throw invalid('host', 'a host name or IP address', host);
  }
  if (token !== null && (typeof token !== 'string' || !TOKEN_PATTERN.test(token))) {
    throw invalid('token', 'null or 8 to 128 characters of [A-Za-z0-9._~-]', token);
  }
  if (typeof log !== 'function') throw invalid('log', 'a function', log);
  if (typeof defaultRate !== 'number' || !(defaultRate >= MIN_RATE && defaultRate <= MAX_RATE)) {
    throw invalid('defaultRate', `a number in [${MIN_RATE}, ${MAX_RATE}]`, defaultRate);
  }
  return {
    host,
    port: integer('port', options.port, VIEWER_DEFAULTS.port, 0, 65_535),
    token,
    heartbeatMs: integer('heartbeatMs', options.heartbeatMs, VIEWER_DEFAULTS.heartbeatMs, 10, 2_147_483_647),
    maxPayload: integer('maxPayload', options.maxPayload, VIEWER_DEFAULTS.maxPayload, 256, 64 * 1024 * 1024),
    maxBufferedBytes: integer(
      'maxBufferedBytes',
      options.maxBufferedBytes,
      VIEWER_DEFAULTS.maxBufferedBytes,
      1024,
      1024 * 1024 * 1024,
    ),
    defaultRate,
    messagesPerSecond: integer(
      'messagesPerSecond',
      options.messagesPerSecond,
      VIEWER_DEFAULTS.messagesPerSecond,
      1,
      1_000_000,
    ),
    log,
  };
}
