// One connected viewer: its subscription, the sampling of the run's latest frame at its rate,
// and the back-pressure rule: above the high-water mark a frame is dropped and counted, never queued.

import type { Frame } from '../src/agent/snapshot.js';
import { WebSocket, type RawData } from 'ws';
import { ClientInbox } from './client-inbox.js';
import { encodeMessage, type ServerMessage, type SubscriptionView } from './protocol.js';
import { Subscription } from './subscription.js';

export interface ViewerClientStats {
  readonly id: string;
  readonly remoteAddress: string;
  readonly subscription: SubscriptionView;
  /** Frames sent to this client. */
  readonly sent: number;
  /** Frames it should have had at its rate but did not, its socket being backed up. */
  readonly dropped: number;
  readonly bytesSent: number;
  readonly bufferedAmount: number;
  /** Messages of this client that waited for its message budget to refill. */
  readonly heldBack: number;
}

export interface ViewerClientContext {
  /** The run's latest frame, or null before the first. */
  readonly latest: () => Frame | null;
  readonly highWaterMark: number;
  readonly defaultRate: number;
  /** Where a message that cannot be encoded is reported; this runs on timers, so it must not throw. */
  readonly fault: (error: Error) => void;
  /** The budget of each connection's messages: units (one per started KiB) per second. */
  readonly messagesPerSecond: number;
  /** Handles one message of this client, in order, when its budget allows. */
  readonly handle: (client: ViewerClient, data: RawData, isBinary: boolean) => void;
}

export class ViewerClient {
  readonly id: string;
  readonly socket: WebSocket;
  readonly remoteAddress: string;
  readonly subscription: Subscription;
  /** Cleared by each ping, set by the pong that answers it. */
  alive = true;
  private sent = 0;
  private dropped = 0;
  private bytesSent = 0;
  private lastFrame: Frame | null = null;
  private droppedFrame: Frame | null = null;
  private nextDue = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly context: ViewerClientContext;
  private readonly inbox: ClientInbox;

  constructor(id: string, socket: WebSocket, remoteAddress: string, context: ViewerClientContext) {
    this.id = id;
    this.socket = socket;
    this.remoteAddress = remoteAddress;
    this.context = context;
    this.subscription = new Subscription(context.defaultRate);
    this.inbox = new ClientInbox(socket, context.messagesPerSecond, (data, isBinary) =>
      context.handle(this, data, isBinary),
    );
  }

  /** Takes a message as the socket delivers it; it is handled at once, or in turn once the budget allows. */
  receive(data: RawData, isBinary: boolean): void {
    this.inbox.receive(data, isBinary);
  }

  /**
   * Called for every frame the run emits, so it must cost next to nothing: it only makes sure
   * a flush is scheduled for this client's next turn. Frames in between are simply superseded.
   */
  offer(): void {
    if (this.timer !== null) return;
    const wait = Math.max(0, this.nextDue - performance.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Sends the latest frame again at the next turn, as the new subscription shapes it. */
  offerAgain(): void {
    this.lastFrame = null;
    this.offer();
  }

  /** Restarts sampling after a rate change, so a slower rate does not wait out the old turn. */
  reschedule(): void {
    this.nextDue = 0;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
      this.offer();
    }
  }

  /** Sends a message outside the frame stream (hello, state, ack, error). */
  send(message: ServerMessage): boolean {
    if (this.socket.readyState !== WebSocket.OPEN) return false;
    // Replies are small and rare, so they may pass a backed-up socket, but only so far: a client
    // that sends requests and never reads the answers would otherwise grow our memory.
    if (this.socket.bufferedAmount > 2 * this.context.highWaterMark) {
      this.socket.terminate();
      return false;
    }
    const bytes = this.encode(message);
    if (bytes === null) return false;
    this.bytesSent += bytes.length;
    this.socket.send(bytes, { binary: true });
    return true;
  }

  stats(): ViewerClientStats {
    return {
      id: this.id,
      remoteAddress: this.remoteAddress,
      subscription: this.subscription.view(),
      sent: this.sent,
      dropped: this.dropped,
      bytesSent: this.bytesSent,
      bufferedAmount: this.socket.bufferedAmount,
      heldBack: this.inbox.heldBack,
    };
  }

  /** Stops sampling and forgets unhandled messages; the socket itself is closed by its owner. */
  dispose(): void {
    this.inbox.dispose();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private flush(): void {
    this.timer = null;
    const frame = this.context.latest();
    if (frame === null || frame === this.lastFrame || this.socket.readyState !== WebSocket.OPEN) return;
    const now = performance.now();
    const interval = 1000 / this.subscription.rate;
    // Keeps the average rate when a timer fires a little late, without bursting after a pause.
    this.nextDue = Math.max(this.nextDue, now - interval / 2) + interval;
    if (this.socket.bufferedAmount > this.context.highWaterMark) {
      // Counted once per frame; the retry matters when the run is paused and no new frame
      // would otherwise bring this client up to date once its socket drains.
      if (frame !== this.droppedFrame) this.dropped++;
      this.droppedFrame = frame;
      this.timer = setTimeout(() => this.flush(), interval);
      return;
    }
    this.lastFrame = frame;
    const bytes = this.encode(this.subscription.project(frame, this.dropped));
    if (bytes === null) return;
    this.sent++;
    this.bytesSent += bytes.length;
    this.socket.send(bytes, { binary: true });
  }

  private encode(message: ServerMessage): Buffer | null {
    try {
      return encodeMessage(message);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.context.fault(new Error(`cannot encode a ${message.type} message for client ${this.id}: ${reason}`));
      return null;
    }
  }
}
