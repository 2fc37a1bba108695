// What one connection may make the server do: a token bucket of `perSecond` units (a message costs
// one per started KiB) that holds a fifth of a second's worth. Past it, messages wait here, in
// order, until it refills; once 64 messages or 64 KiB wait, the socket is not read (TCP holds the
// sender back) until they are all handled. So a flood costs at most the budget, and its memory.

import type { RawData, WebSocket } from 'ws';

/** Waiting messages, or waiting bytes, past which the connection is read no further. */
export const MAX_WAITING = 64;
export const MAX_WAITING_BYTES = 64 * 1024;

function byteLength(data: RawData): number {
  return Array.isArray(data)
    ? data.reduce((sum, part) => sum + part.length, 0)
    : (data as Buffer | ArrayBuffer).byteLength;
}

/** The units a message costs: one per started KiB, so large messages are slowed as much as their bytes. */
export function messageCost(data: RawData): number {
  return Math.max(1, Math.ceil(byteLength(data) / 1024));
}

export class ClientInbox {
  /** Messages that had to wait for the budget. */
  heldBack = 0;
  private tokens: number;
  private readonly capacity: number;
  private last = performance.now();
  private readonly waiting: Array<[RawData, boolean]> = [];
  private waitingBytes = 0;
  private paused = false;
  private timer: NodeJS.Timeout | null = null;
  private disposed = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly perSecond: number,
    private readonly handle: (data: RawData, isBinary: boolean) => void,
  ) {
    this.capacity = Math.max(1, perSecond / 5);
    this.tokens = this.capacity;
  }

  /** Takes one message as the socket delivers it: handled now if the budget allows, else in turn. */
  receive(data: RawData, isBinary: boolean): void {
    if (this.disposed) return;
    if (this.waiting.length === 0 && this.refill() > 0) {
      this.take(data, isBinary);
      return;
    }
    this.heldBack++;
    this.waiting.push([data, isBinary]);
    this.waitingBytes += byteLength(data);
    // What is already read when the socket pauses (at most one read) still comes, and waits too.
    if (!this.paused && (this.waiting.length >= MAX_WAITING || this.waitingBytes >= MAX_WAITING_BYTES)) {
      this.paused = true;
      this.socket.pause();
    }
    this.schedule();
  }

  /** Forgets what waits; the socket is closing. */
  dispose(): void {
    this.disposed = true;
    this.waiting.length = 0;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private refill(): number {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.perSecond) / 1000);
    this.last = now;
    return this.tokens;
  }

  private take(data: RawData, isBinary: boolean): void {
    // A message larger than the whole budget still passes, leaving a debt that holds the next ones back.
    this.tokens -= messageCost(data);
    this.handle(data, isBinary);
  }

  /** Books the turn of the first waiting message: when the bucket is no longer empty. */
  private schedule(): void {
    if (this.timer !== null) return;
    const wait = Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.perSecond));
    this.timer = setTimeout(() => this.drain(), wait);
  }

  private drain(): void {
    this.timer = null;
    if (this.disposed) return;
    while (this.refill() > 0 && this.waiting.length > 0) {
      const [data, isBinary] = this.waiting.shift()!;
      this.waitingBytes -= byteLength(data);
      this.take(data, isBinary);
      if (this.disposed) return;
    }
    if (this.waiting.length > 0) this.schedule();
    else if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }
}
