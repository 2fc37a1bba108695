// The live viewer's public surface: start a server for a run, and the types it speaks.

export { startViewer, ViewerServer } from './viewer-server.js';
export type { ViewerOptions } from './viewer-options.js';
export type { RunController, RunState } from './run-controller.js';
export { PROTOCOL_VERSION } from './protocol.js';
export { canonicalHost, isLoopbackHost } from './loopback.js';
