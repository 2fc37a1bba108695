// Wire protocol of the live viewer, version 2: the shapes of every message both ways and the
// msgpack codec. server/PROTOCOL.md is the normative text; these types mirror it.

import { Packr, Unpackr } from 'msgpackr';
import type { ActingFrame, LayerFrame, ModalityFrame } from '../src/agent/snapshot.js';
import type { WireTopology } from './live-topology.js';
import type { DreamView, InferView, RunState } from './run-controller.js';
import type { HistoryView } from './run-history.js';
import { checkPlainMsgpack } from './plain-msgpack.js';
import { clientFault } from './viewer-error.js';

export const PROTOCOL_VERSION = 2;
export const SOCKET_PATH = '/socket';
/** `recent` adds each layer's recent codes (`recentCodes`, `recentFrom`) to the `layers` part. */
export const PARTS = ['layers', 'recent', 'modalities', 'losses', 'metrics'] as const;
export const CONTROL_ACTIONS = ['pause', 'resume', 'step', 'rate'] as const;
export const MIN_RATE = 0.2;
export const MAX_RATE = 60;

export type Part = (typeof PARTS)[number];
export type ControlAction = (typeof CONTROL_ACTIONS)[number];
/** A client's label for a request, echoed in the `ack` or `error` that answers it. */
export type RequestId = string | number;

/** What a client receives, and how often. `null` name lists mean every layer / modality. */
export interface SubscriptionView {
  readonly parts: Part[];
  readonly layers: string[] | null;
  readonly modalities: string[] | null;
  readonly rate: number;
}

export interface HelloMessage {
  readonly type: 'hello';
  readonly protocol: typeof PROTOCOL_VERSION;
  readonly clientId: string;
  readonly topology: WireTopology;
  readonly state: RunState;
  readonly subscription: SubscriptionView;
  readonly defaults: {
    readonly rate: number;
    readonly minRate: number;
    readonly maxRate: number;
    readonly parts: Part[];
    readonly maxPayload: number;
    readonly heartbeatMs: number;
    /** Each connection's message budget: units (one per started KiB of a message) per second. */
    readonly messagesPerSecond: number;
  };
  /** Whether control messages must carry the token. */
  readonly tokenRequired: boolean;
}

/** A layer of a frame; the recent codes only with the `recent` part. */
export type LayerMessage = Omit<LayerFrame, 'recentCodes' | 'recentFrom'> &
  Partial<Pick<LayerFrame, 'recentCodes' | 'recentFrom'>>;

/** One sampled step, holding only the parts the client subscribed to. */
export interface FrameMessage {
  readonly type: 'frame';
  readonly step: number;
  readonly episode: number;
  readonly layers?: LayerMessage[];
  readonly modalities?: ModalityFrame[];
  readonly losses?: Record<string, number>;
  readonly metrics?: Record<string, number>;
  /** An acting agent's last action and returns, with the `metrics` part. */
  readonly acting?: ActingFrame;
  readonly stepsPerSecond: number;
  /** Frames this client has missed so far because its socket was backed up. */
  readonly dropped: number;
}

export interface StateMessage extends RunState {
  readonly type: 'state';
}

/** The run so far, after the hello and on request. */
export interface HistoryMessage extends HistoryView {
  readonly type: 'history';
  readonly id?: RequestId;
}

/** The topology again, grown: a loss or metric came for the first time. */
export interface TopologyMessage {
  readonly type: 'topology';
  readonly topology: WireTopology;
}

export interface ErrorMessage {
  readonly type: 'error';
  readonly code: string;
  readonly message: string;
  readonly id?: RequestId;
}

export type AckMessage =
  | { readonly type: 'ack'; readonly of: 'subscribe'; readonly id?: RequestId; readonly subscription: SubscriptionView }
  | {
      readonly type: 'ack';
      readonly of: 'control';
      readonly id?: RequestId;
      readonly action: ControlAction;
      readonly state: RunState;
      readonly rate: number;
    };

/** The answer to a `dream` request. */
export interface DreamMessage extends DreamView {
  readonly type: 'dream';
  readonly id?: RequestId;
  readonly temperature: number;
}

/** The answer to an `infer` request. */
export interface InferenceMessage extends InferView {
  readonly type: 'inference';
  readonly id?: RequestId;
  readonly method: 'map' | 'mcmc';
}

export type ServerMessage =
  | DreamMessage
  | InferenceMessage
  | HelloMessage
  | HistoryMessage
  | TopologyMessage
  | FrameMessage
  | StateMessage
  | ErrorMessage
  | AckMessage;

export interface SubscribeMessage {
  readonly type: 'subscribe';
  readonly id?: RequestId;
  readonly parts?: Part[];
  readonly layers?: string[] | null;
  readonly modalities?: string[] | null;
  readonly rate?: number;
}

export interface ControlMessage {
  readonly type: 'control';
  readonly id?: RequestId;
  readonly action: ControlAction;
  /** Frames per second, for `rate` only. */
  readonly value?: number;
  readonly token?: string;
}

export interface HistoryRequest {
  readonly type: 'history';
  readonly id?: RequestId;
}

/** Asks for a continuation dreamed from the run's current state (needs the token like a control). */
export interface DreamRequestMessage {
  readonly type: 'dream';
  readonly id?: RequestId;
  readonly steps: number;
  readonly temperature: number;
  readonly seed: number;
  readonly token?: string;
}

/** Asks what the agent infers for some side modalities with others clamped (needs the token). */
export interface InferRequestMessage {
  readonly type: 'infer';
  readonly id?: RequestId;
  readonly clamp: Readonly<Record<string, number | readonly number[]>>;
  readonly infer: readonly string[];
  readonly method: 'map' | 'mcmc';
  readonly samples: number;
  readonly seed: number;
  readonly token?: string;
}

/** At most this many samples per `infer` request. */
export const MAX_INFER_SAMPLES = 20;

/** At most this many dreamed steps per request (each one costs the run a step's encoding). */
export const MAX_DREAM_STEPS = 500;

export type ClientMessage =
  | SubscribeMessage
  | ControlMessage
  | HistoryRequest
  | DreamRequestMessage
  | InferRequestMessage;

// moreTypes: typed arrays travel as msgpack ext type 0x74 (see PROTOCOL.md), so a
// Float32Array arrives as one. useRecords: false keeps every map a plain msgpack map.
const packr = new Packr({ moreTypes: true, useRecords: false });
// Clients send plain msgpack, checked before this runs; 64-bit integers read as numbers, not BigInts.
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

/** Encodes a server message as one binary WebSocket payload. */
export function encodeMessage(message: ServerMessage): Buffer {
  return packr.pack(message);
}

/**
 * Decodes one client payload; throws ERR_PROTOCOL when the bytes are not one value of plain
 * msgpack (see checkPlainMsgpack), before anything is decoded.
 */
export function decodePayload(data: Uint8Array): unknown {
  if (data.length === 0) {
    throw clientFault('ERR_PROTOCOL', 'message: expected one msgpack value, but got 0 bytes');
  }
  checkPlainMsgpack(data);
  try {
    return unpackr.unpack(data);
  } catch (error) {
    // Not expected after the check; msgpackr's messages may quote what it read, so none is passed on.
    const kind = error instanceof Error ? error.name : typeof error;
    throw clientFault(
      'ERR_PROTOCOL',
      `message: expected one msgpack value, but got ${data.length} bytes that do not decode (${kind})`,
    );
  }
}

/** Clamps a requested frame rate into [MIN_RATE, MAX_RATE]. */
export function clampRate(rate: number): number {
  return Math.min(MAX_RATE, Math.max(MIN_RATE, rate));
}
