// Whatever a client sends, the server answers a bad message with an `error` naming what was
// wrong, and the connection, the run and the other clients carry on as before.

import { pack } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startViewer, type ViewerServer } from '../../server/viewer-server.js';
import type { ErrorMessage, ServerMessage } from '../../server/protocol.js';
import { createFakeRun, type FakeRun } from './helpers/fake-run.js';
import { bigintMessage, nested } from './helpers/hostile-bytes.js';
import { connectClient, isFrame, socketUrl, type TestClient } from './helpers/test-client.js';

const isError = (m: ServerMessage): m is ErrorMessage => m.type === 'error';

let run: FakeRun;
let viewer: ViewerServer;
let client: TestClient;
let bystander: TestClient;

beforeAll(async () => {
  run = createFakeRun();
  // A budget large enough that no reply here waits for it (message-budget.test.ts tests the budget).
  viewer = await startViewer(run, { port: 0, defaultRate: 30, messagesPerSecond: 100_000, log: () => {} });
  client = await connectClient(socketUrl(viewer.port));
  bystander = await connectClient(socketUrl(viewer.port));
});

afterAll(async () => {
  await client.close();
  await bystander.close();
  await viewer.close();
  run.stop();
});

/** Sends `bytes` and returns the error reply, then checks that both clients still get frames. */
async function rejected(bytes: Uint8Array | string): Promise<ErrorMessage> {
  const mark = client.messages.length;
  client.sendRaw(bytes);
  const error = await client.waitFor(isError, { since: mark });
  const seen = { client: client.messages.length, bystander: bystander.messages.length };
  await client.waitFor(isFrame, { since: seen.client });
  await bystander.waitFor(isFrame, { since: seen.bystander });
  return error;
}

describe('ViewerServer', () => {
  describe('malformed input', () => {
    it('answers bytes that are not msgpack with ERR_PROTOCOL', async () => {
      const error = await rejected(Uint8Array.of(0xc1, 0xff, 0x00, 0x13));
      expect(error.code).toBe('ERR_PROTOCOL');
      expect(error.message).toMatch(/expected one msgpack value, but got 4 bytes/);
    });

    it('answers a text message with ERR_PROTOCOL', async () => {
      const error = await rejected('{"type":"subscribe"}');
      expect(error).toMatchObject({
        code: 'ERR_PROTOCOL',
        message: expect.stringMatching(/expected a binary message/),
      });
    });

    it('answers msgpack that is not a map (a number) with ERR_PROTOCOL', async () => {
      const error = await rejected(pack(42));
      expect(error.message).toBe('message: expected a map with a string "type", but got 42');
    });

    it('answers an unknown type with ERR_PROTOCOL and echoes the request id', async () => {
      const error = await rejected(pack({ type: 'explode', id: 5 }));
      expect(error).toEqual({
        type: 'error',
        code: 'ERR_PROTOCOL',
        id: 5,
        message: 'message.type: expected one of "subscribe", "control", "history", "dream", "infer", but got "explode"',
      });
    });

    it('answers a subscribe with bad parts, an unknown layer or a bad rate with ERR_PROTOCOL', async () => {
      const parts = await rejected(pack({ type: 'subscribe', id: 'p', parts: ['layers', 'bogus'] }));
      expect(parts).toMatchObject({ code: 'ERR_PROTOCOL', id: 'p' });
      expect(parts.message).toBe(
        'subscribe.parts[1]: expected one of "layers", "recent", "modalities", "losses", "metrics", but got "bogus"',
      );
      const notArray = await rejected(pack({ type: 'subscribe', parts: 'layers' }));
      expect(notArray.message).toMatch(/^subscribe\.parts: expected null or an array of names/);
      const layer = await rejected(pack({ type: 'subscribe', layers: ['h9'] }));
      expect(layer.message).toBe('subscribe.layers[0]: expected one of "h1", "h2", but got "h9"');
      const rate = await rejected(pack({ type: 'subscribe', rate: 'fast' }));
      expect(rate.message).toBe('subscribe.rate: expected a finite number of frames per second, but got "fast"');
      const extra = await rejected(pack({ type: 'subscribe', part: ['layers'] }));
      expect(extra.message).toMatch(/unknown field "part"/);
    });

    it('answers a control with a bad action or value with ERR_PROTOCOL', async () => {
      const action = await rejected(pack({ type: 'control', id: 3, action: 'explode' }));
      expect(action).toMatchObject({
        code: 'ERR_PROTOCOL',
        id: 3,
        message: 'control.action: expected one of "pause", "resume", "step", "rate", but got "explode"',
      });
      const value = await rejected(pack({ type: 'control', action: 'rate' }));
      expect(value.message).toBe('control.value: expected a finite number of frames per second, but got undefined');
      const bad = await rejected(pack({ type: 'control', action: 'pause', value: 1 }));
      expect(bad.message).toMatch(/expected no value for action "pause"/);
      expect(run.state().paused).toBe(false);
    });

    it('keeps the subscription a bad request left untouched', async () => {
      const mark = client.messages.length;
      client.send({ type: 'subscribe', id: 'narrow', parts: ['losses'] });
      await client.waitFor((m) => m.type === 'ack', { since: mark });
      // Valid in part: applying any of it would bring layers back or take losses away.
      await rejected(pack({ type: 'subscribe', parts: ['layers', 'nope'] }));
      const frame = await client.waitFor(isFrame);
      expect(Object.keys(frame).sort()).toEqual(['dropped', 'episode', 'losses', 'step', 'stepsPerSecond', 'type']);
      expect(Object.keys(frame.losses!)).toEqual(['encoder', 'reconstruction', 'top']);
      client.send({ type: 'subscribe', parts: ['layers', 'recent', 'modalities', 'losses', 'metrics'] });
      await client.waitFor((m) => m.type === 'ack');
    });

    it('answers a history request with unknown fields with ERR_PROTOCOL', async () => {
      const error = await rejected(pack({ type: 'history', id: 3, since: 0 }));
      expect(error).toEqual({
        type: 'error',
        code: 'ERR_PROTOCOL',
        id: 3,
        message: 'history: expected fields among [type, id], but got unknown field "since"',
      });
    });

    it('answers a 64 KiB BigInt (ext 0x42) with a short ERR_PROTOCOL in a few ms, not 158 KB in 95 ms', async () => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const mark = client.messages.length;
        const start = performance.now();
        client.sendRaw(bigintMessage(65_536));
        const error = await client.waitFor(isError, { since: mark });
        times.push(performance.now() - start);
        expect(error.message).toMatch(
          /^message: expected plain msgpack with no extensions \(.*\), but got extension type 66 at offset 0$/,
        );
        expect(client.sizes[client.messages.indexOf(error)]).toBeLessThan(300);
      }
      expect(times.sort((a, b) => a - b)[2]).toBeLessThan(15);
    });

    it('echoes at most 40 characters of a 65,000-character field name', async () => {
      const error = await rejected(pack({ type: 'history', id: 'long', ['f'.repeat(65_000)]: 0 }));
      expect(error).toEqual({
        type: 'error',
        code: 'ERR_PROTOCOL',
        id: 'long',
        message: `history: expected fields among [type, id], but got unknown field "${'f'.repeat(40)}…"`,
      });
      expect(client.sizes[client.messages.indexOf(error)]).toBeLessThan(300);
    });

    it('refuses nesting deeper than 8 and typed arrays from a client', async () => {
      expect((await rejected(nested(9))).message).toMatch(/nested at most 8 deep/);
      const typed = await rejected(Uint8Array.of(0xc7, 0x05, 0x74, 0x07, 0x00, 0x00, 0xc0, 0x3f));
      expect(typed.message).toMatch(/no extensions \(.*\), but got extension type 116 at offset 0$/);
    });

    it('answers a text message that is not UTF-8 with ERR_PROTOCOL instead of closing (1007)', async () => {
      const mark = client.messages.length;
      client.ws.send(Buffer.from([0xff, 0xfe, 0x80]), { binary: false });
      expect(await client.waitFor(isError, { since: mark })).toMatchObject({
        code: 'ERR_PROTOCOL',
        message: expect.stringMatching(/expected a binary message/),
      });
      await client.waitFor(isFrame);
    });

    it('closes a connection whose message exceeds maxPayload (1009), and only that one', async () => {
      const big = await connectClient(socketUrl(viewer.port));
      const closed = new Promise<number>((resolve) => big.ws.once('close', (code) => resolve(code)));
      big.sendRaw(new Uint8Array(70 * 1024));
      expect(await closed).toBe(1009);
      const mark = bystander.messages.length;
      await bystander.waitFor(isFrame, { since: mark });
      expect(viewer.stats().clients).toBe(2);
    });
  });
});
