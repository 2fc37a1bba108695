// Connecting to a NATS server: credentials from the URL (nats://user:pass@host:port, or
// nats://token@host), reconnection for ever once connected, and the faults a user can fix as
// NatsErrors (ERR_NATS_CONNECT, ERR_NATS_AUTH). Counts every disconnection, so that a restart of
// the server is seen (the gaps of a run) and never crashes a client.

import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DEFAULT_NATS_URL } from './subjects.js';
import { NatsError } from './nats-error.js';

export interface NatsConnectOptions {
  /** Server URL; user and password, or a token, may be in it. Default nats://127.0.0.1:4222. */
  readonly url?: string;
  /** Name the server shows for this connection (monitoring). */
  readonly name?: string;
  /** How long the first connection may take, in ms. Default 5000. */
  readonly timeoutMs?: number;
  /** Called with one line at each disconnection and reconnection. */
  readonly log?: (line: string) => void;
}

/** A connection and what happened to it. */
export interface NatsLink {
  readonly connection: NatsConnection;
  /** Disconnections so far; each is a gap in the run that reconnection ended. */
  readonly disconnects: number;
  readonly reconnects: number;
  /** Milliseconds spent disconnected so far. */
  readonly disconnectedMs: number;
  /** Drains and closes; safe to call twice. */
  close(): Promise<void>;
}

interface ParsedUrl {
  readonly server: string;
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  /** The URL with its credentials hidden, for messages. */
  readonly shown: string;
}

/** Splits the credentials out of a nats:// URL (the client takes them as options). */
export function parseNatsUrl(url: string): ParsedUrl {
  let parsed: URL;
  try {
    parsed = new URL(url.includes('://') ? url : `nats://${url}`);
  } catch {
    throw new NatsError(
      'ERR_NATS_CONNECT',
      `connectNats: expected a URL such as ${DEFAULT_NATS_URL}, but got "${url}"`,
    );
  }
  if (!['nats:', 'tls:'].includes(parsed.protocol)) {
    throw new NatsError(
      'ERR_NATS_CONNECT',
      `connectNats: expected a nats:// or tls:// URL, but got the scheme "${parsed.protocol}"`,
    );
  }
  const server = `${parsed.protocol}//${parsed.hostname.includes(':') ? `[${parsed.hostname}]` : parsed.hostname}:${
    parsed.port || '4222'
  }`;
  const user = decodeURIComponent(parsed.username);
  const pass = decodeURIComponent(parsed.password);
  if (user === '') return { server, shown: server };
  const shown = `${parsed.protocol}//***@${server.slice(parsed.protocol.length + 2)}`;
  return pass === '' ? { server, token: user, shown } : { server, user, pass, shown };
}

/** Connects, or rejects with ERR_NATS_AUTH (credentials refused) or ERR_NATS_CONNECT (anything else). */
export async function connectNats(options: NatsConnectOptions = {}): Promise<NatsLink> {
  const target = parseNatsUrl(options.url ?? DEFAULT_NATS_URL);
  const log = options.log ?? (() => undefined);
  let connection: NatsConnection;
  try {
    connection = await connect({
      servers: target.server,
      name: options.name,
      user: target.user,
      pass: target.pass,
      token: target.token,
      timeout: options.timeoutMs ?? 5000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      pingInterval: 10_000,
    });
  } catch (error) {
    const name = (error as Error).name;
    const message = (error as Error).message;
    if (name === 'AuthorizationError' || /authori[sz]ation/i.test(message)) {
      throw new NatsError(
        'ERR_NATS_AUTH',
        `connectNats: the server at ${target.shown} refused the credentials (${message}); give them in the URL, ` +
          `nats://user:password@host:port or nats://token@host:port`,
      );
    }
    throw new NatsError(
      'ERR_NATS_CONNECT',
      `connectNats: cannot reach a NATS server at ${target.shown} (${message}); start one with ` +
        `\`nats-server -js\` or give its URL with --nats`,
    );
  }
  let disconnects = 0;
  let reconnects = 0;
  let disconnectedMs = 0;
  let since: number | null = null;
  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') {
        disconnects++;
        since = performance.now();
        log(`tprop nats: disconnected from ${target.shown}; reconnecting`);
      } else if (status.type === 'reconnect') {
        reconnects++;
        if (since !== null) disconnectedMs += performance.now() - since;
        since = null;
        log(`tprop nats: reconnected to ${target.shown}`);
      }
    }
  })().catch(() => undefined);
  let closing: Promise<void> | null = null;
  return {
    connection,
    get disconnects() {
      return disconnects;
    },
    get reconnects() {
      return reconnects;
    },
    get disconnectedMs() {
      return disconnectedMs + (since === null ? 0 : performance.now() - since);
    },
    close() {
      closing ??= connection.isClosed()
        ? Promise.resolve()
        : connection.drain().catch(() => connection.close().catch(() => undefined));
      return closing;
    },
  };
}
