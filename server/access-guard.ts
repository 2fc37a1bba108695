// Who may open the viewer's socket and steer the run: the token (constant-time compared) and
// the browser Origin, checked on upgrade before any WebSocket exists. Which hosts need a token
// is loopback.ts's rule.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import { canonicalHost } from './loopback.js';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
/** Wildcard addresses as canonicalHost writes them (`0`, `::` and `0:0::0` among their spellings). */
const WILDCARDS = ['0.0.0.0', '[::]'];

const isWildcard = (host: string) => WILDCARDS.includes(canonicalHost(host));

/** 128 random bits as 32 hex characters. */
export function generateToken(): string {
  return randomBytes(16).toString('hex');
}

/** Compares secrets in time independent of where they differ (hashing first evens out lengths). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Every name a browser on this machine or network could use for a server bound to `host`. */
function hostNames(host: string): Set<string> {
  const names = new Set<string>([canonicalHost(host), ...LOOPBACK_NAMES]);
  if (isWildcard(host)) {
    names.add(canonicalHost(hostname()));
    for (const addresses of Object.values(networkInterfaces())) {
      for (const a of addresses ?? []) names.add(canonicalHost(a.address));
    }
  }
  return names;
}

/** The name to print for a bound host: a wildcard is shown as this machine's first LAN address. */
export function displayHost(host: string): string {
  if (!isWildcard(host)) return canonicalHost(host);
  const lan = Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal);
  return lan?.address ?? 'localhost';
}

/** The request's URL, or null when it cannot be read (URL.parse is newer than Node 20.0). */
export function requestTarget(request: IncomingMessage): URL | null {
  try {
    return new URL(request.url ?? '/', 'http://viewer.invalid');
  } catch {
    return null;
  }
}

export interface Refusal {
  readonly status: 400 | 401 | 403 | 404 | 503;
  readonly reason: string;
}

export class AccessGuard {
  readonly token: string | null;
  private readonly port: number;
  private readonly names: Set<string>;

  constructor(host: string, port: number, token: string | null) {
    this.token = token;
    this.port = port;
    this.names = hostNames(host);
  }

  /** Whether a control message's token is the right one (always true when no token is set). */
  allows(token: string | undefined): boolean {
    return this.token === null || (token !== undefined && sameSecret(token, this.token));
  }

  /** Why an upgrade request must be refused, or null to let it through. */
  checkUpgrade(request: IncomingMessage, socketPath: string): Refusal | null {
    const url = requestTarget(request);
    if (url === null) return { status: 400, reason: 'unreadable request target' };
    if (url.pathname !== socketPath) return { status: 404, reason: `no WebSocket at ${url.pathname}` };
    if (!this.allows(url.searchParams.get('token') ?? undefined)) {
      return { status: 401, reason: 'missing or wrong token' };
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !this.allowsOrigin(origin)) {
      return { status: 403, reason: `origin ${origin.slice(0, 100)} is not this viewer` };
    }
    return null;
  }

  /**
   * A browser page may connect only if it was loaded from this server under one of its own
   * names; this also defeats DNS rebinding, where a foreign name resolves to our address.
   */
  allowsOrigin(origin: string): boolean {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    return port === this.port && this.names.has(url.hostname.toLowerCase());
  }
}

/** Answers a refused upgrade with a plain HTTP error and closes the socket; no WebSocket is made. */
export function refuseUpgrade(socket: Duplex, { status, reason }: Refusal): void {
  const body = `${reason}\n`;
  socket.on('error', () => socket.destroy());
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
