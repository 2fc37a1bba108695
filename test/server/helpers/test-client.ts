// A protocol-level client for the tests: a `ws` socket that decodes every message with msgpackr
// and lets a test wait for the message it expects.

import { Packr, Unpackr } from 'msgpackr';
import { WebSocket, type ClientOptions } from 'ws';
import type { FrameMessage, HelloMessage, ServerMessage } from '../../../server/protocol.js';

const packr = new Packr({ moreTypes: true, useRecords: false });
const unpackr = new Unpackr({ moreTypes: true, useRecords: false });

export interface TestClient {
  readonly ws: WebSocket;
  readonly hello: HelloMessage;
  /** Every message received, in order, hello first. */
  readonly messages: ServerMessage[];
  /** The size in bytes of each of `messages`, as it came over the wire. */
  readonly sizes: number[];
  /** Pings received since the socket was made (counted from the start, so none is missed). */
  pings(): number;
  frames(): FrameMessage[];
  /** Sends a value as msgpack (or raw bytes as they are). */
  send(message: unknown): void;
  sendRaw(bytes: Uint8Array | string): void;
  /** The first message from index `since` on (default: only ones yet to come) matching `match`. */
  waitFor<T extends ServerMessage>(
    match: (m: ServerMessage) => m is T,
    options?: { since?: number; timeoutMs?: number },
  ): Promise<T>;
  waitFor(
    match: (m: ServerMessage) => boolean,
    options?: { since?: number; timeoutMs?: number },
  ): Promise<ServerMessage>;
  close(): Promise<void>;
}

export const isFrame = (m: ServerMessage): m is FrameMessage => m.type === 'frame';

/** The socket URL of a viewer page URL, with an optional token. */
export function socketUrl(port: number, token?: string | null): string {
  return `ws://127.0.0.1:${port}/socket${token ? `?token=${token}` : ''}`;
}

export async function connectClient(url: string, options: ClientOptions = {}): Promise<TestClient> {
  const ws = new WebSocket(url, options);
  const messages: ServerMessage[] = [];
  const sizes: number[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data: Buffer) => {
    sizes.push(data.length);
    messages.push(unpackr.unpack(data) as ServerMessage);
    for (const w of [...waiters]) w();
  });
  ws.on('error', () => {});
  let pings = 0;
  ws.on('ping', () => pings++);

  function waitFor(
    match: (m: ServerMessage) => boolean,
    { since = messages.length, timeoutMs = 5000 } = {},
  ): Promise<ServerMessage> {
    return new Promise((resolve, reject) => {
      let index = since;
      const check = () => {
        for (; index < messages.length; index++) {
          if (match(messages[index])) {
            done();
            resolve(messages[index]);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no matching message within ${timeoutMs} ms; last: ${JSON.stringify(messages.at(-1)?.type)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  }

  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused with HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  const hello = (await waitFor((m) => m.type === 'hello', { since: 0 })) as HelloMessage;

  return {
    ws,
    hello,
    messages,
    sizes,
    pings: () => pings,
    frames: () => messages.filter(isFrame),
    send: (message) => ws.send(packr.pack(message)),
    sendRaw: (bytes) => ws.send(bytes),
    waitFor: waitFor as TestClient['waitFor'],
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.terminate();
      }),
  };
}
