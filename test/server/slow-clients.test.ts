// A client that never reads must cost the run nothing: its frames are dropped and counted once
// its socket backs up, the server's buffer for it stays bounded, and learning keeps its pace.

import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { startViewer } from '../../server/viewer-server.js';
import { createFakeRun, type FakeRun } from './helpers/fake-run.js';
import { connectClient, isFrame, socketUrl } from './helpers/test-client.js';

const MiB = 1024 * 1024;
const HIGH_WATER = MiB; // the default maxBufferedBytes
const WINDOW_MS = 400;
const ROUNDS = 5;
let cleanup: Array<() => unknown> = [];

afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Window {
  readonly steps: number;
  readonly ms: number;
  /** Time inside the run's steps: the share of the event loop learning got. */
  readonly busyMs: number;
}

async function measure(run: FakeRun, ms: number): Promise<Window> {
  const [s0, b0, t0] = [run.steps, run.busyMs, performance.now()];
  await sleep(ms);
  return { steps: run.steps - s0, ms: performance.now() - t0, busyMs: run.busyMs - b0 };
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

const rate = (ws: Window[]) => (ws.reduce((a, w) => a + w.steps, 0) * 1000) / ws.reduce((a, w) => a + w.ms, 0);
const perSecond = (w: Window) => (w.steps * 1000) / w.ms;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const share = (ws: Window[]) => ws.reduce((a, w) => a + w.busyMs, 0) / ws.reduce((a, w) => a + w.ms, 0);

describe('ViewerServer', () => {
  describe('slow clients', () => {
    it('drop the frames of a client that never reads, counted; learning keeps its pace, memory its bound', async () => {
      // Big frames (about 400 KB) fill the kernel's socket buffers (a few MB) in a few frames.
      const run = createFakeRun({ layerSizes: [16384, 16384], inputSize: 16384, recycle: 16 });
      const viewer = await startViewer(run, { port: 0, defaultRate: 60, log: () => {} });
      const reader = await connectClient(socketUrl(viewer.port));
      cleanup.push(
        () => run.stop(),
        () => viewer.close(),
        () => reader.close(),
      );
      await sleep(200);

      // Windows without and with a stalled client alternate, so the machine's own drifts in
      // speed fall on both alike; the stalled client is a new one each round.
      const without: Window[] = [await measure(run, WINDOW_MS)];
      const withStalled: Window[] = [];
      const rounds: Array<{
        saturatedMs: number;
        dropped: number;
        seenByClient: number;
        maxBufferedKiB: number;
        readerFrames: number;
        heapGrowthMiB: number;
      }> = [];
      for (let round = 0; round < ROUNDS; round++) {
        const stalled = await connectClient(socketUrl(viewer.port));
        cleanup.push(() => stalled.close());
        const socket = (stalled.ws as unknown as { _socket: Socket })._socket;
        socket.pause();
        const stats = () => viewer.stats().perClient.find((c) => c.id === stalled.hello.clientId)!;
        const t0 = performance.now();
        await until(() => stats().dropped > 0, 15_000);
        const saturatedMs = performance.now() - t0;

        const readerBefore = reader.frames().length;
        const droppedBefore = stats().dropped;
        const memoryBefore = process.memoryUsage();
        let maxBuffered = 0;
        const watch = setInterval(() => (maxBuffered = Math.max(maxBuffered, stats().bufferedAmount)), 10);
        withStalled.push(await measure(run, WINDOW_MS));
        clearInterval(watch);
        const memoryAfter = process.memoryUsage();
        const dropped = stats().dropped - droppedBefore;
        const readerFrames = reader.frames().length - readerBefore;

        // Once it reads again the stalled client catches up, and learns how much it missed.
        socket.resume();
        const caughtUp = await stalled.waitFor((m) => isFrame(m) && m.dropped > 0, { since: 0, timeoutMs: 10_000 });
        await stalled.close();
        rounds.push({
          saturatedMs: Math.round(saturatedMs),
          dropped,
          seenByClient: isFrame(caughtUp) ? caughtUp.dropped : -1,
          maxBufferedKiB: Math.round(maxBuffered / 1024),
          readerFrames,
          heapGrowthMiB: +(
            (memoryAfter.heapUsed + memoryAfter.arrayBuffers - memoryBefore.heapUsed - memoryBefore.arrayBuffers) /
            MiB
          ).toFixed(1),
        });
        without.push(await measure(run, WINDOW_MS));
      }

      const figures = {
        stepsPerSecondWithout: Math.round(rate(without)),
        stepsPerSecondWithStalled: Math.round(rate(withStalled)),
        rateRatio: +(rate(withStalled) / rate(without)).toFixed(3),
        // Each window with a stalled client against the two without it on either side.
        pairedRatioMedian: +median(
          withStalled.map((w, i) => perSecond(w) / ((perSecond(without[i]) + perSecond(without[i + 1])) / 2)),
        ).toFixed(3),
        stepShareWithout: +share(without).toFixed(3),
        stepShareWithStalled: +share(withStalled).toFixed(3),
        windows: {
          without: without.map((w) => Math.round(perSecond(w))),
          withStalled: withStalled.map((w) => Math.round(perSecond(w))),
        },
        rounds,
        totalDropped: viewer.stats().framesDropped,
      };
      console.log('slow-client figures', JSON.stringify(figures, null, 1));

      expect(figures.rateRatio).toBeGreaterThanOrEqual(0.8);
      // The same claim, immune to the machine's own changes of speed: learning's share of time.
      expect(figures.stepShareWithStalled / figures.stepShareWithout).toBeGreaterThanOrEqual(0.8);
      for (const r of rounds) {
        expect(r.dropped).toBeGreaterThanOrEqual((WINDOW_MS / 1000) * 30); // about 60 a second at 60 frames/s
        expect(r.seenByClient).toBeGreaterThan(0);
        expect(r.readerFrames).toBeGreaterThanOrEqual((WINDOW_MS / 1000) * 20); // the reader is not held up
        // One frame at most may sit above the high-water mark, plus a few small replies.
        expect(r.maxBufferedKiB * 1024).toBeLessThan(HIGH_WATER + 512 * 1024);
        expect(r.heapGrowthMiB).toBeLessThan(64); // loose: it is the garbage collector's call
      }
      expect(figures.totalDropped).toBeGreaterThanOrEqual(rounds.reduce((total, r) => total + r.dropped, 0));
    });
  });
});
