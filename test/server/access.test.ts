// Safe by default: loopback needs no token, any other interface gets one; the socket refuses a
// wrong token (401) or a foreign page's Origin (403) before upgrading; controls carry the token.

import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startViewer, type ViewerServer } from '../../server/viewer-server.js';
import type { ErrorMessage, ServerMessage } from '../../server/protocol.js';
import { createFakeRun } from './helpers/fake-run.js';
import { connectClient, socketUrl } from './helpers/test-client.js';

const TOKEN = 'secret-token-0123';
const isError = (m: ServerMessage): m is ErrorMessage => m.type === 'error';
let cleanup: Array<() => unknown> = [];

afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function viewerWith(options: { host?: string; token?: string }, lines: string[] = []): Promise<ViewerServer> {
  const run = createFakeRun({ mode: 'timer', intervalMs: 20 });
  const viewer = await startViewer(run, { port: 0, log: (line) => lines.push(line), ...options });
  cleanup.push(
    () => run.stop(),
    () => viewer.close(),
  );
  return viewer;
}

/** Sends raw bytes over TCP and returns whatever comes back before the server closes or 500 ms pass. */
function rawHttp(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let reply = '';
    socket.on('data', (data) => (reply += data));
    socket.on('error', () => resolve(reply));
    socket.on('close', () => resolve(reply));
    setTimeout(() => socket.destroy(), 500);
  });
}

async function connected(url: string, headers: Record<string, string> = {}) {
  const client = await connectClient(url, { headers });
  cleanup.push(() => client.close());
  return client;
}

describe('ViewerServer', () => {
  describe('tokens', () => {
    it('needs none on loopback', async () => {
      const viewer = await viewerWith({});
      expect(viewer.token).toBeNull();
      expect(viewer.url).not.toMatch(/token/);
      expect((await connected(socketUrl(viewer.port))).hello.tokenRequired).toBe(false);
    });

    it('refuses a missing or wrong token with HTTP 401 when one is set', async () => {
      const viewer = await viewerWith({ token: TOKEN });
      expect(viewer.url).toBe(`http://127.0.0.1:${viewer.port}/?token=${TOKEN}`);
      await expect(connectClient(socketUrl(viewer.port))).rejects.toThrow('refused with HTTP 401');
      await expect(connectClient(socketUrl(viewer.port, 'secret-token-0124'))).rejects.toThrow('refused with HTTP 401');
      expect((await connected(socketUrl(viewer.port, TOKEN))).hello.tokenRequired).toBe(true);
    });

    it('answers a control without the right token with ERR_UNAUTHORIZED and leaves the run alone', async () => {
      const viewer = await viewerWith({ token: TOKEN });
      const client = await connected(socketUrl(viewer.port, TOKEN));
      client.send({ type: 'control', id: 1, action: 'pause' });
      const missing = await client.waitFor(isError);
      expect(missing).toEqual({
        type: 'error',
        code: 'ERR_UNAUTHORIZED',
        id: 1,
        message: "control.token: expected the viewer's token, but got no token",
      });
      client.send({ type: 'control', id: 2, action: 'pause', token: 'secret-token-0124' });
      expect(await client.waitFor(isError)).toMatchObject({
        code: 'ERR_UNAUTHORIZED',
        id: 2,
        message: expect.stringMatching(/a wrong token/),
      });
      client.send({ type: 'control', id: 3, action: 'pause', token: TOKEN });
      expect(await client.waitFor((m) => m.type === 'ack')).toMatchObject({ id: 3, state: { paused: true } });
    });

    it('generates one when bound to a non-loopback host without one, and prints it in the URL', async () => {
      const lines: string[] = [];
      const viewer = await viewerWith({ host: '0.0.0.0' }, lines);
      expect(viewer.token).toMatch(/^[0-9a-f]{32}$/);
      expect(viewer.url).toMatch(new RegExp(`^http://[^/]+:${viewer.port}/\\?token=${viewer.token}$`));
      expect(lines).toContain(`tprop viewer: ${viewer.url}`);
      await expect(connectClient(socketUrl(viewer.port))).rejects.toThrow('refused with HTTP 401');
      await connected(socketUrl(viewer.port, viewer.token));
    });

    it('keeps a given token on a non-loopback host', async () => {
      const viewer = await viewerWith({ host: '0.0.0.0', token: TOKEN });
      expect(viewer.token).toBe(TOKEN);
    });
  });

  describe('origins', () => {
    it('lets through clients without an Origin and pages served by this viewer under loopback names', async () => {
      const viewer = await viewerWith({});
      await connected(socketUrl(viewer.port));
      for (const origin of [
        `http://127.0.0.1:${viewer.port}`,
        `http://localhost:${viewer.port}`,
        `http://[::1]:${viewer.port}`,
      ]) {
        await connected(socketUrl(viewer.port), { Origin: origin });
      }
    });

    it('refuses a foreign Origin with HTTP 403, even with the right token', async () => {
      const viewer = await viewerWith({ token: TOKEN });
      for (const origin of [
        `http://evil.example:${viewer.port}`,
        'http://localhost:1',
        'null',
        `file://${viewer.port}`,
      ]) {
        await expect(connectClient(socketUrl(viewer.port, TOKEN), { headers: { Origin: origin } })).rejects.toThrow(
          'refused with HTTP 403',
        );
      }
    });

    it('serves no socket outside /socket (404)', async () => {
      const viewer = await viewerWith({});
      await expect(connectClient(`ws://127.0.0.1:${viewer.port}/elsewhere`)).rejects.toThrow('refused with HTTP 404');
    });
  });

  describe('unreadable requests', () => {
    it('answers a request target that is not a URL with 400 (socket) or 404 (page), and keeps serving', async () => {
      const viewer = await viewerWith({});
      const upgrade =
        'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ' +
        'dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';
      expect(await rawHttp(viewer.port, `GET http://[ HTTP/1.1\r\nHost: x\r\n${upgrade}\r\n`)).toMatch(
        /^HTTP\/1\.1 400 /,
      );
      expect(await rawHttp(viewer.port, 'GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(
        /^HTTP\/1\.1 404 /,
      );
      await connected(socketUrl(viewer.port));
    });
  });
});
