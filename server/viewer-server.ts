// The live viewer: one HTTP server for the page, its assets and the WebSocket at /socket, which
// streams a run's frames to each client at that client's rate and lets it pause and step the run.

import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Subscription as RxSubscription } from 'rxjs';
import { WebSocketServer, WebSocket } from 'ws';
import type { Frame } from '../src/agent/snapshot.js';
import { AccessGuard, displayHost, generateToken, refuseUpgrade, type Refusal } from './access-guard.js';
import { LiveTopology } from './live-topology.js';
import { isLoopbackHost } from './loopback.js';
import { MAX_RATE, MIN_RATE, PARTS, PROTOCOL_VERSION, SOCKET_PATH, type HelloMessage } from './protocol.js';
import { RequestHandler } from './request-handler.js';
import { RUN_CONTROLLER_METHODS, type RunController, type RunState } from './run-controller.js';
import { RunHistory } from './run-history.js';
import { StaticAssets } from './static-assets.js';
import { ViewerClient, type ViewerClientStats } from './viewer-client.js';
import { ViewerError, describeValue, errorMessage } from './viewer-error.js';
import { viewerOptions, type ResolvedViewerOptions, type ViewerOptions } from './viewer-options.js';

export interface ViewerStats {
  readonly clients: number;
  /** Frames the run emitted while the viewer listened (most are superseded before any turn). */
  readonly framesSeen: number;
  /** Totals over every client, connected or gone. */
  readonly framesSent: number;
  readonly framesDropped: number;
  readonly bytesSent: number;
  readonly perClient: ViewerClientStats[];
}

const CLOSE_GRACE_MS = 500;

function checkRun(run: unknown): asserts run is RunController {
  const r = run as Partial<Record<string, unknown>> | null;
  const topology = r?.topology as { layers?: unknown; modalities?: unknown } | undefined;
  const ok =
    typeof r === 'object' &&
    r !== null &&
    Array.isArray(topology?.layers) &&
    Array.isArray(topology?.modalities) &&
    typeof (r.frames as { subscribe?: unknown } | undefined)?.subscribe === 'function' &&
    RUN_CONTROLLER_METHODS.every((m) => typeof r[m] === 'function');
  if (!ok) {
    throw new ViewerError(
      'ERR_INVALID_OPTION',
      `startViewer: expected a RunController (topology, frames, ${RUN_CONTROLLER_METHODS.join(', ')}), but got ` +
        `${describeValue(run)}`,
    );
  }
}

export class ViewerServer extends EventEmitter {
  private secret: string | null;
  private bound = { url: '', port: 0 };
  private readonly options: ResolvedViewerOptions;
  private readonly run: RunController;
  private readonly http: Server;
  private readonly sockets: WebSocketServer;
  private requests: RequestHandler | null = null;
  private readonly clients = new Set<ViewerClient>();
  private guard: AccessGuard | null = null;
  private assets: StaticAssets | null = null;
  private latest: Frame | null = null;
  private readonly live: LiveTopology;
  private readonly history = new RunHistory();
  private framesSeen = 0;
  private gone = { sent: 0, dropped: 0, bytes: 0 };
  private nextClientId = 1;
  private runSubscription: RxSubscription | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;

  constructor(run: RunController, options: ViewerOptions = {}) {
    super();
    checkRun(run);
    this.run = run;
    this.live = new LiveTopology(run.topology);
    this.options = viewerOptions(options);
    // Off loopback anyone on the network could steer the run, so a token is never optional there.
    this.secret = this.options.token ?? (isLoopbackHost(this.options.host) ? null : generateToken());
    this.http = createServer((request, response) => this.assets?.handle(request, response));
    this.sockets = new WebSocketServer({
      noServer: true,
      maxPayload: this.options.maxPayload,
      perMessageDeflate: false,
      clientTracking: false,
      // Text is never read, only refused; checking its UTF-8 would close the socket (1007) instead.
      skipUTF8Validation: true,
    });
    this.http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(request, socket, head),
    );
  }

  /** The token the socket and controls require, or null when none is (a loopback host without one). */
  get token(): string | null {
    return this.secret;
  }

  /** The page's address, with `?token=` when one is needed; empty until listening. */
  get url(): string {
    return this.bound.url;
  }

  /** The port bound (useful with `port: 0`); 0 until listening. */
  get port(): number {
    return this.bound.port;
  }

  /** Loads the page, binds the port and starts streaming; rejects if the port cannot be bound. */
  async listen(): Promise<void> {
    this.assets = await StaticAssets.load();
    if (this.closing !== null)
      throw new Error('ViewerServer.listen: expected a server not yet closed, but close() came first');
    const { host, port } = this.options;
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    this.http.on('error', (error) => this.fault(error));
    const address = this.http.address() as AddressInfo;
    // `localhost` is resolved by the system; should it name another interface, a token is due after all.
    if (this.secret === null && !isLoopbackHost(address.address)) {
      this.secret = generateToken();
    }
    const bound = address.port;
    this.bound = {
      port: bound,
      url: `http://${displayHost(host)}:${bound}/${this.token === null ? '' : `?token=${this.token}`}`,
    };
    this.guard = new AccessGuard(host, bound, this.token);
    this.requests = new RequestHandler({
      run: this.run,
      guard: this.guard,
      broadcastState: () => this.broadcastState(),
      topology: () => this.live.topology,
      history: () => this.history.view(),
    });
    this.runSubscription = this.run.frames.subscribe({
      next: (frame) => this.onFrame(frame),
      error: (error: unknown) => this.fault(new Error(`run.frames failed: ${errorMessage(error)}`)),
      complete: () => this.options.log('tprop viewer: the run has ended; its last frame stays on view'),
    });
    this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatMs);
    this.options.log(`tprop viewer: ${this.url}`);
  }

  stats(): ViewerStats {
    const perClient = [...this.clients].map((c) => c.stats());
    const sum = (pick: (s: ViewerClientStats) => number) => perClient.reduce((total, s) => total + pick(s), 0);
    return {
      clients: perClient.length,
      framesSeen: this.framesSeen,
      framesSent: this.gone.sent + sum((s) => s.sent),
      framesDropped: this.gone.dropped + sum((s) => s.dropped),
      bytesSent: this.gone.bytes + sum((s) => s.bytesSent),
      perClient,
    };
  }

  /** Says goodbye to every client (1001), then stops listening. Safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.runSubscription?.unsubscribe();
    const clients = [...this.clients];
    const closed = clients.map(
      (c) =>
        new Promise<void>((resolve) =>
          c.socket.readyState === WebSocket.CLOSED ? resolve() : c.socket.once('close', () => resolve()),
        ),
    );
    for (const c of clients) c.socket.close(1001, 'viewer shutting down');
    // A client that does not read never completes the closing handshake.
    const grace = setTimeout(() => clients.forEach((c) => c.socket.terminate()), CLOSE_GRACE_MS);
    await Promise.all(closed);
    clearTimeout(grace);
    this.sockets.close();
    if (!this.http.listening) return;
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  private onFrame(frame: Frame): void {
    // Runs inside the producer's emit: only remember the frame and make sure turns are booked.
    try {
      this.latest = frame;
      this.framesSeen++;
      if (this.live.observe(frame)) {
        const message = { type: 'topology' as const, topology: this.live.topology };
        for (const client of this.clients) client.send(message);
      }
      this.history.record(frame);
      for (const client of this.clients) client.offer();
    } catch (error) {
      this.fault(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refusal: Refusal | null =
      this.closing !== null || this.guard === null
        ? { status: 503, reason: 'viewer not running' }
        : this.guard.checkUpgrade(request, SOCKET_PATH);
    if (refusal !== null) {
      this.options.log(
        `tprop viewer: refused a socket from ${request.socket.remoteAddress}: ${refusal.status} ${refusal.reason}`,
      );
      refuseUpgrade(socket, refusal);
      return;
    }
    this.sockets.handleUpgrade(request, socket, head, (ws) => this.accept(ws, request));
  }

  private accept(ws: WebSocket, request: IncomingMessage): void {
    const id = `c${this.nextClientId++}`;
    const client = new ViewerClient(id, ws, request.socket.remoteAddress ?? '', {
      latest: () => this.latest,
      highWaterMark: this.options.maxBufferedBytes,
      defaultRate: this.options.defaultRate,
      fault: (error) => this.fault(error),
      messagesPerSecond: this.options.messagesPerSecond,
      handle: (c, data, isBinary) => this.requests?.handle(c, data, isBinary),
    });
    this.clients.add(client);
    ws.on('message', (data, isBinary) => client.receive(data, isBinary));
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('error', (error) => this.options.log(`tprop viewer: client ${id}: ${error.message}`));
    ws.on('close', () => this.remove(client));
    client.send(this.hello(client));
    client.send({ type: 'history', ...this.history.view() });
    client.offer();
  }

  private remove(client: ViewerClient): void {
    if (!this.clients.delete(client)) return;
    client.dispose();
    const s = client.stats();
    this.gone = {
      sent: this.gone.sent + s.sent,
      dropped: this.gone.dropped + s.dropped,
      bytes: this.gone.bytes + s.bytesSent,
    };
  }

  private hello(client: ViewerClient): HelloMessage {
    const { defaultRate, maxPayload, heartbeatMs, messagesPerSecond } = this.options;
    return {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      clientId: client.id,
      topology: this.live.topology,
      state: this.runState(),
      subscription: client.subscription.view(),
      defaults: {
        rate: defaultRate,
        minRate: MIN_RATE,
        maxRate: MAX_RATE,
        parts: [...PARTS],
        maxPayload,
        heartbeatMs,
        messagesPerSecond,
      },
      tokenRequired: this.token !== null,
    };
  }

  private runState(): RunState {
    try {
      const { paused, step, stepsPerSecond } = this.run.state();
      return { paused, step, stepsPerSecond };
    } catch (error) {
      this.fault(new Error(`run.state failed: ${errorMessage(error)}`));
      return { paused: false, step: this.latest?.step ?? 0, stepsPerSecond: 0 };
    }
  }

  private broadcastState(): void {
    const message = { type: 'state' as const, ...this.runState() };
    for (const client of this.clients) client.send(message);
  }

  /** Pings everyone; whoever has not answered the previous ping is cut off. */
  private beat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        this.options.log(`tprop viewer: client ${client.id} missed a heartbeat; disconnecting`);
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      if (client.socket.readyState === WebSocket.OPEN) client.socket.ping();
    }
  }

  /** Faults of the server itself: an 'error' event if anyone listens, else a log line (never a crash). */
  private fault(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else this.options.log(`tprop viewer: ${error.message}`);
  }
}

/** Starts a viewer for `run`. Bad options throw at once; a port that cannot be bound rejects. */
export function startViewer(run: RunController, options: ViewerOptions = {}): Promise<ViewerServer> {
  const server = new ViewerServer(run, options);
  return server.listen().then(() => server);
}
