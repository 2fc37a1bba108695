// Heartbeat: the server pings every heartbeatMs and cuts off a client that has not answered the
// previous ping, while clients that answer stay connected.

import { describe, expect, it } from 'vitest';
import { startViewer } from '../../server/viewer-server.js';
import { createFakeRun } from './helpers/fake-run.js';
import { connectClient, isFrame, socketUrl } from './helpers/test-client.js';

describe('ViewerServer', () => {
  describe('heartbeat', () => {
    it('terminates a client that stops answering pings and keeps the ones that answer', async () => {
      const run = createFakeRun({ mode: 'timer', intervalMs: 10 });
      const lines: string[] = [];
      const viewer = await startViewer(run, { port: 0, heartbeatMs: 100, log: (line) => lines.push(line) });
      const mute = await connectClient(socketUrl(viewer.port), { autoPong: false });
      const lively = await connectClient(socketUrl(viewer.port));
      try {
        const t0 = performance.now();
        const code = await new Promise<number>((resolve) => mute.ws.once('close', (c) => resolve(c)));
        const elapsed = performance.now() - t0;
        expect(code).toBe(1006); // terminated: no closing handshake
        expect(mute.pings()).toBeGreaterThanOrEqual(1);
        expect(elapsed).toBeLessThan(1000);
        expect(lines.some((l) => l.includes(`client ${mute.hello.clientId} missed a heartbeat`))).toBe(true);

        await new Promise((r) => setTimeout(r, 400)); // several more heartbeats
        expect(lively.ws.readyState).toBe(lively.ws.OPEN);
        const mark = lively.messages.length;
        await lively.waitFor(isFrame, { since: mark });
        expect(viewer.stats().clients).toBe(1);
      } finally {
        await mute.close();
        await lively.close();
        await viewer.close();
        run.stop();
      }
    });
  });
});
