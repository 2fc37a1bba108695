// What the server does with each message a client sends: decode, validate, authorise, act,
// answer. Every fault becomes an `error` reply to that client; nothing here closes a connection.

import type { RawData } from 'ws';
import type { AccessGuard } from './access-guard.js';
import {
  decodePayload,
  type ControlMessage,
  type DreamRequestMessage,
  type InferRequestMessage,
  type RequestId,
  type SubscribeMessage,
} from './protocol.js';
import { parseClientMessage, requestIdOf } from './parse-client-message.js';
import type { RunController } from './run-controller.js';
import type { HistoryView } from './run-history.js';
import type { Topology } from '../src/agent/snapshot.js';
import { boundedMessage, clientFault, errorCode, errorMessage } from './viewer-error.js';
import type { ViewerClient } from './viewer-client.js';

export interface RequestContext {
  readonly run: RunController;
  readonly guard: AccessGuard;
  /** Tells every client the run's new state after a control changed it. */
  readonly broadcastState: () => void;
  /** The topology names are checked against (it grows as metrics first appear). */
  readonly topology: () => Topology;
  /** The run so far, for a `history` request. */
  readonly history: () => HistoryView;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

function withId<T extends object>(message: T, id: RequestId | undefined): T & { id?: RequestId } {
  return id === undefined ? message : { ...message, id };
}

export class RequestHandler {
  private readonly context: RequestContext;

  constructor(context: RequestContext) {
    this.context = context;
  }

  /** Handles one incoming WebSocket message from `client`. Never throws. */
  handle(client: ViewerClient, data: RawData, isBinary: boolean): void {
    let id: RequestId | undefined;
    try {
      if (!isBinary) {
        throw clientFault('ERR_PROTOCOL', 'message: expected a binary message holding msgpack, but got a text message');
      }
      const payload = decodePayload(toBuffer(data));
      id = requestIdOf(payload);
      const request = parseClientMessage(payload, this.context.topology());
      if (request.type === 'subscribe') this.subscribe(client, request);
      else if (request.type === 'history')
        client.send(withId({ type: 'history' as const, ...this.context.history() }, request.id));
      else if (request.type === 'dream') this.dream(client, request);
      else if (request.type === 'infer') this.infer(client, request);
      else this.control(client, request);
    } catch (error) {
      const message = boundedMessage(errorMessage(error));
      client.send(withId({ type: 'error' as const, code: errorCode(error), message }, id));
    }
  }

  private subscribe(client: ViewerClient, request: SubscribeMessage): void {
    const before = client.subscription.rate;
    client.subscription.update(request);
    if (client.subscription.rate !== before) client.reschedule();
    client.send(
      withId({ type: 'ack' as const, of: 'subscribe' as const, subscription: client.subscription.view() }, request.id),
    );
    // A new subscription should show at once, not at the next step (the run may be paused).
    client.offerAgain();
  }

  private authorize(request: { type: string; token?: string }): void {
    if (!this.context.guard.allows(request.token)) {
      const got = request.token === undefined ? 'no token' : 'a wrong token';
      throw clientFault('ERR_UNAUTHORIZED', `${request.type}.token: expected the viewer's token, but got ${got}`);
    }
  }

  /** A continuation dreamed from the run's state; the agent's own errors come back as errors. */
  private dream(client: ViewerClient, request: DreamRequestMessage): void {
    this.authorize(request);
    const { run } = this.context;
    if (typeof run.dream !== 'function')
      throw clientFault('ERR_PROTOCOL', "dream: expected a run whose agent dreams, but this one's does not");
    const { steps, temperature, seed } = request;
    const view = run.dream({ steps, temperature, seed });
    client.send(withId({ type: 'dream' as const, temperature, ...view }, request.id));
  }

  /** What the agent infers with some modalities clamped; its own errors come back as errors. */
  private infer(client: ViewerClient, request: InferRequestMessage): void {
    this.authorize(request);
    const { run } = this.context;
    if (typeof run.infer !== 'function')
      throw clientFault('ERR_PROTOCOL', "infer: expected a run whose agent infers, but this one's does not");
    const { clamp, infer, method, samples, seed } = request;
    const view = run.infer({ clamp, infer, method, samples, seed });
    client.send(withId({ type: 'inference' as const, method, ...view }, request.id));
  }

  private control(client: ViewerClient, request: ControlMessage): void {
    const { run } = this.context;
    this.authorize(request);
    switch (request.action) {
      case 'pause':
        run.pause();
        break;
      case 'resume':
        run.resume();
        break;
      case 'step':
        if (!run.state().paused) {
          throw clientFault(
            'ERR_PROTOCOL',
            'control.action: expected the run to be paused for "step", but it is running',
          );
        }
        run.step();
        break;
      case 'rate':
        client.subscription.rate = request.value as number;
        client.reschedule();
        break;
    }
    const ack = {
      type: 'ack' as const,
      of: 'control' as const,
      action: request.action,
      state: run.state(),
      rate: client.subscription.rate,
    };
    client.send(withId(ack, request.id));
    if (request.action !== 'rate') this.context.broadcastState();
  }
}
