// Frames reach a client at the rate it asked for, up to what the run can give, on a real LiveRun
// whose steps are slow (3 ms each): the run must hand the event loop back between steps often
// enough for the viewer's timers, rather than once per 64 steps (which gave 5 frames a second).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { LiveRun } from '../../src/stream/live-run.js';
import { startViewer, type ViewerServer } from '../../server/viewer-server.js';
import { FakeAgent } from '../stream/helpers/fake-agent.js';
import { connectClient, isFrame, socketUrl, type TestClient } from './helpers/test-client.js';

const STEP_MS = 3;
let run: LiveRun;
let viewer: ViewerServer;
let client: TestClient;

beforeAll(async () => {
  run = new LiveRun(new FakeAgent({ workMs: STEP_MS }), makeEnvironment('Periodic-v0'));
  viewer = await startViewer(run, { port: 0, log: () => {} });
  client = await connectClient(socketUrl(viewer.port));
  run.start();
});

afterAll(async () => {
  await client.close();
  await viewer.close();
  run.stop();
});

async function rateAt(rate: number, ms: number): Promise<{ perSecond: number; steps: number[] }> {
  client.send({ type: 'subscribe', parts: [], rate });
  await client.waitFor((m) => m.type === 'ack');
  await new Promise((r) => setTimeout(r, 300)); // settle on the new rate
  const since = client.messages.length;
  await new Promise((r) => setTimeout(r, ms));
  const frames = client.messages.slice(since).filter(isFrame);
  return { perSecond: (frames.length * 1000) / ms, steps: frames.map((f) => f.step) };
}

describe('ViewerServer on a LiveRun of slow steps', () => {
  it('sends 10 frames a second when asked for 10', async () => {
    const { perSecond, steps } = await rateAt(10, 2000);
    expect(perSecond).toBeGreaterThanOrEqual(8);
    expect(perSecond).toBeLessThanOrEqual(11);
    // Steps advance between frames by about (1000 / 10) / 3 ms, not in jumps of 64.
    const gaps = steps.slice(1).map((s, i) => s - steps[i]!);
    expect(Math.max(...gaps)).toBeLessThan(64);
  });

  it('sends far more than one frame per 64 steps when asked for 60', async () => {
    const { perSecond } = await rateAt(60, 2000);
    const stepsPerSecond = 1000 / STEP_MS;
    expect(perSecond).toBeGreaterThanOrEqual(30);
    expect(perSecond).toBeGreaterThan((4 * stepsPerSecond) / 64);
  });
});
