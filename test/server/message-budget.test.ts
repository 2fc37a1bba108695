// Each connection's message budget: past it the server stops reading that socket and answers the
// messages it has read later, all of them and in order; large messages cost more; the other
// clients' frames and requests go on as before.

import { pack } from 'msgpackr';
import { afterEach, describe, expect, it } from 'vitest';
import { startViewer, type ViewerServer } from '../../server/viewer-server.js';
import type { ErrorMessage, ServerMessage } from '../../server/protocol.js';
import { createFakeRun } from './helpers/fake-run.js';
import { connectClient, isFrame, socketUrl, type TestClient } from './helpers/test-client.js';

const isError = (m: ServerMessage): m is ErrorMessage => m.type === 'error';
let cleanup: Array<() => unknown> = [];

afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function viewerWith(messagesPerSecond: number): Promise<ViewerServer> {
  const run = createFakeRun({ mode: 'timer', intervalMs: 5 });
  const viewer = await startViewer(run, { port: 0, messagesPerSecond, defaultRate: 30, log: () => {} });
  cleanup.push(
    () => run.stop(),
    () => viewer.close(),
  );
  return viewer;
}

async function connected(viewer: ViewerServer): Promise<TestClient> {
  const client = await connectClient(socketUrl(viewer.port));
  cleanup.push(() => client.close());
  return client;
}

/** Waits until `client` has `count` error replies since `mark`, and returns them. */
async function errorsAfter(client: TestClient, mark: number, count: number): Promise<ErrorMessage[]> {
  const errors = () => client.messages.slice(mark).filter(isError);
  await client.waitFor(() => errors().length >= count, { since: mark, timeoutMs: 10_000 });
  return errors();
}

describe('ViewerServer', () => {
  describe('message budget', () => {
    it('holds a client back past its budget, then answers every message once and in order', async () => {
      const viewer = await viewerWith(100);
      const flooder = await connected(viewer);
      const bystander = await connected(viewer);
      const mark = flooder.messages.length;
      const start = performance.now();
      for (let id = 0; id < 100; id++) flooder.send({ type: 'history', id, bogus: true });
      const framesBefore = bystander.frames().length;
      const errors = await errorsAfter(flooder, mark, 100);
      const elapsed = performance.now() - start;
      expect(errors.map((e) => e.id)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      // 20 at once (a fifth of a second's budget), the other 80 at 100 a second.
      expect(elapsed).toBeGreaterThan(600);
      expect(elapsed).toBeLessThan(3000);
      const stats = viewer.stats().perClient.find((c) => c.id === flooder.hello.clientId)!;
      expect(stats.heldBack).toBeGreaterThanOrEqual(1);
      expect(bystander.frames().length - framesBefore).toBeGreaterThan(10);
      expect(viewer.stats().perClient.find((c) => c.id === bystander.hello.clientId)!.heldBack).toBe(0);
    });

    it('answers another client at once while one is held back', async () => {
      const viewer = await viewerWith(100);
      const flooder = await connected(viewer);
      const other = await connected(viewer);
      for (let id = 0; id < 300; id++) flooder.send({ type: 'history', id, bogus: true });
      await new Promise((r) => setTimeout(r, 200));
      const start = performance.now();
      other.send({ type: 'subscribe', id: 'me', rate: 5 });
      await other.waitFor((m) => m.type === 'ack');
      expect(performance.now() - start).toBeLessThan(200);
    });

    it('charges a message one unit per started KiB', async () => {
      const viewer = await viewerWith(100);
      const client = await connected(viewer);
      const small = async (count: number, padding: number) => {
        const mark = client.messages.length;
        const start = performance.now();
        for (let id = 0; id < count; id++) client.send({ type: 'history', id, pad: 'p'.repeat(padding) });
        await errorsAfter(client, mark, count);
        return performance.now() - start;
      };
      // 5 messages of 1 unit pass at once; 5 of 11 units (10 KiB and a little) leave 35 units owed.
      expect(await small(5, 10)).toBeLessThan(150);
      await new Promise((r) => setTimeout(r, 300));
      expect(await small(5, 10 * 1024)).toBeGreaterThan(250);
    });

    it('refuses a budget that is not a whole number of units per second, at once', () => {
      const run = createFakeRun({ startPaused: true });
      cleanup.push(() => run.stop());
      for (const messagesPerSecond of [0, 1.5, -1, Number.NaN]) {
        expect(() => startViewer(run, { port: 0, messagesPerSecond, log: () => {} })).toThrow(
          /^startViewer: expected option "messagesPerSecond" to be an integer in \[1, 1000000\], but got/,
        );
      }
    });

    it('lets a message larger than the whole budget through, and holds the next ones back for its debt', async () => {
      const viewer = await viewerWith(20);
      const client = await connected(viewer);
      const mark = client.messages.length;
      const start = performance.now();
      client.sendRaw(pack({ type: 'history', id: 'big', pad: 'p'.repeat(20 * 1024) }));
      client.send({ type: 'history', id: 'next', bogus: 1 });
      const [big, next] = await errorsAfter(client, mark, 2);
      expect([big!.id, next!.id]).toEqual(['big', 'next']);
      // 21 units against 4 held: the second waits for about (21 - 4) / 20 s.
      expect(performance.now() - start).toBeGreaterThan(600);
      await client.waitFor(isFrame);
    });
  });
});
