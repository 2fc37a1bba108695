// What a viewer that joins late receives: the hello, then the history of the run from its first
// frame, and a topology message whenever a frame carries a metric the topology did not list.

import { afterEach, describe, expect, it } from 'vitest';
import { startViewer } from '../../server/viewer-server.js';
import type { FrameMessage, HistoryMessage, ServerMessage, TopologyMessage } from '../../server/protocol.js';
import { createFakeRun } from './helpers/fake-run.js';
import { connectClient, isFrame, socketUrl } from './helpers/test-client.js';

const isHistory = (m: ServerMessage): m is HistoryMessage => m.type === 'history';
const isTopology = (m: ServerMessage): m is TopologyMessage => m.type === 'topology';

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function viewerOf(run: ReturnType<typeof createFakeRun>) {
  const viewer = await startViewer(run, { port: 0, defaultRate: 30, log: () => {} });
  cleanup.push(
    () => run.stop(),
    () => viewer.close(),
  );
  const connect = async () => {
    const client = await connectClient(socketUrl(viewer.port));
    cleanup.push(() => client.close());
    return client;
  };
  return { viewer, connect };
}

describe('ViewerServer', () => {
  describe('history', () => {
    it('follows the hello, reaching back to the first frame of the run for a client that joins late', async () => {
      const run = createFakeRun({ mode: 'timer', intervalMs: 1, startPaused: true });
      const { connect } = await viewerOf(run);
      run.resume();
      await new Promise((r) => setTimeout(r, 1200));
      const late = await connect();
      expect(late.messages[0]!.type).toBe('hello');
      const history = await late.waitFor(isHistory, { since: 1 });
      expect(late.messages.indexOf(history)).toBe(1);
      const n = history.steps.length;
      expect(history.steps[0]).toBeLessThanOrEqual(2); // the run's first frames
      expect(n).toBeGreaterThan(50);
      expect(history.steps[n - 1]).toBeGreaterThan(run.steps / 2);
      for (let i = 1; i < n; i++) expect(history.steps[i]).toBeGreaterThan(history.steps[i - 1]!);
      expect(Object.keys(history.losses).sort()).toEqual(['encoder', 'reconstruction', 'top']);
      expect(Object.keys(history.metrics).sort()).toEqual(['accuracy', 'logLoss']);
      expect(Object.keys(history.layers).sort()).toEqual(['h1', 'h2']);
      // encoder = 1 / (1 + 0.002 step) is decreasing, so its points must be too (means of runs of steps).
      const encoder = Array.from(history.losses.encoder!);
      expect(encoder).toHaveLength(n);
      for (let i = 1; i < n; i++) expect(encoder[i]).toBeLessThan(encoder[i - 1]!);
      expect(encoder[0]).toBeCloseTo(1 / (1 + 0.002 * history.steps[0]!), 2);
      expect(Array.from(history.metrics.logLoss!).every((v) => Math.abs(v + Math.log(0.55)) < 1e-6)).toBe(true);
    });

    it('answers a history request with the run so far and the request id', async () => {
      const run = createFakeRun({ mode: 'timer', intervalMs: 1 });
      const { connect } = await viewerOf(run);
      const client = await connect();
      const first = await client.waitFor(isHistory, { since: 0 });
      await new Promise((r) => setTimeout(r, 300));
      const mark = client.messages.length;
      client.send({ type: 'history', id: 'again' });
      const again = await client.waitFor(isHistory, { since: mark });
      expect(again.id).toBe('again');
      expect(again.steps.length).toBeGreaterThan(first.steps.length);
      if (first.steps.length > 0) expect(again.steps[0]).toBe(first.steps[0]);
    });
  });

  describe('topology', () => {
    it('grows by a metric when a frame first carries it, telling every client before that frame', async () => {
      const run = createFakeRun({ mode: 'timer', intervalMs: 1, startPaused: true, legalFrom: 150 });
      const { connect } = await viewerOf(run);
      const early = await connect();
      expect(early.hello.topology.metrics).toEqual(['accuracy', 'logLoss']);
      expect(early.hello.topology.about.metrics.legal).toEqual({ definition: 'synthetic legal share', range: [0, 1] });
      run.resume();
      const grown = await early.waitFor(isTopology, { timeoutMs: 8000 });
      expect(grown.topology.metrics).toEqual(['accuracy', 'logLoss', 'legal']);
      const frames = early.messages.filter(isFrame);
      const index = early.messages.indexOf(grown);
      // No frame before the topology message carries the metric; the next frames do.
      for (const f of frames.filter((f) => early.messages.indexOf(f) < index))
        expect(f.metrics).not.toHaveProperty('legal');
      const after = (await early.waitFor(isFrame, { since: index })) as FrameMessage;
      expect(after.metrics!.legal).toBe(0.9);
      const late = await connect();
      expect(late.hello.topology.metrics).toEqual(['accuracy', 'logLoss', 'legal']);
      expect(late.messages.filter(isTopology)).toEqual([]);
    });
  });
});
