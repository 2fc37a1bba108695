// The viewer's stream as a client sees it: the hello, frames of the documented shape,
// subscriptions and rates, the run's controls, options and shutdown.

import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Frame } from '../../src/agent/snapshot.js';
import { startViewer, type ViewerServer } from '../../server/viewer-server.js';
import type { AckMessage, ErrorMessage, FrameMessage, StateMessage } from '../../server/protocol.js';
import { RECENT, createFakeRun, wave, type FakeRun } from './helpers/fake-run.js';
import { connectClient, isFrame, socketUrl, type TestClient } from './helpers/test-client.js';

const quiet = { log: () => {} };
let cleanup: Array<() => unknown> = [];

afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function setup(
  options: { run?: FakeRun; rate?: number } = {},
): Promise<{ run: FakeRun; viewer: ViewerServer; client: TestClient }> {
  const run = options.run ?? createFakeRun();
  const viewer = await startViewer(run, { port: 0, ...quiet, ...(options.rate && { defaultRate: options.rate }) });
  const client = await connectClient(socketUrl(viewer.port));
  cleanup.push(
    () => run.stop(),
    () => viewer.close(),
    () => client.close(),
  );
  return { run, viewer, client };
}

const isAck = (m: { type: string }): m is AckMessage => m.type === 'ack';
const isError = (m: { type: string }): m is ErrorMessage => m.type === 'error';
const isState = (m: { type: string }): m is StateMessage => m.type === 'state';

async function framesDuring(client: TestClient, ms: number): Promise<FrameMessage[]> {
  const since = client.messages.length;
  await new Promise((r) => setTimeout(r, ms));
  return client.messages.slice(since).filter(isFrame);
}

describe('ViewerServer', () => {
  describe('hello', () => {
    it('greets each client with the protocol version, its id, the topology, the run state, the defaults', async () => {
      const { run, viewer, client } = await setup();
      expect(viewer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(viewer.token).toBeNull();
      const { hello } = client;
      expect(hello.protocol).toBe(2);
      expect(hello.clientId).toMatch(/^c\d+$/);
      expect(hello.topology).toEqual(run.topology);
      expect(hello.topology.modalities[0]!.labels).toEqual(['left', 'right', 'up', 'down']);
      // The state of the run at the moment of the hello, not some other number.
      expect(hello.state.paused).toBe(false);
      expect(hello.state.step).toBeGreaterThanOrEqual(1);
      expect(hello.state.step).toBeLessThanOrEqual(run.steps);
      expect(hello.defaults).toEqual({
        rate: 10,
        minRate: 0.2,
        maxRate: 60,
        parts: ['layers', 'recent', 'modalities', 'losses', 'metrics'],
        maxPayload: 65536,
        heartbeatMs: 30000,
        messagesPerSecond: 200,
      });
      expect(hello.subscription).toEqual({
        parts: ['layers', 'recent', 'modalities', 'losses', 'metrics'],
        layers: null,
        modalities: null,
        rate: 10,
      });
      expect(hello.tokenRequired).toBe(false);
    });
  });

  describe('frames', () => {
    it('carry every part by default, with Float32Arrays arriving as Float32Arrays', async () => {
      const { client } = await setup();
      const frame = await client.waitFor(isFrame);
      expect(Object.keys(frame).sort()).toEqual([
        'dropped',
        'episode',
        'layers',
        'losses',
        'metrics',
        'modalities',
        'step',
        'stepsPerSecond',
        'type',
      ]);
      const { step } = frame;
      expect(Number.isInteger(step) && step > 1).toBe(true);
      expect(frame.dropped).toBe(0);
      expect(frame.episode).toBe(Math.floor(step / 500));
      expect(frame.layers!.map((l) => l.name)).toEqual(['h1', 'h2']);
      const [h1, h2] = frame.layers!;
      // The values of that very step, intact through msgpack (the fake run's arrays are a known wave).
      expect(h1.code).toEqual(wave(32, step, 0, false));
      expect(h2.code).toEqual(wave(16, step, 1, true));
      expect(h1.target).toEqual(wave(32, step - 3, 0, false));
      expect(h1.targetStep).toBe(step - 3);
      expect(h1.input).toEqual(wave(24, step, 0, false));
      expect(h1.reconstruction).toEqual(wave(24, step, 0.5, false));
      expect(h2.reconstruction).toEqual(wave(32, step, 1.5, true));
      expect(h1.reconstructionError).toBe(0.1 / (1 + step * 0.01) + 0.01 * Math.abs(Math.sin(step * 0.1)));
      const rows = Math.min(step, RECENT);
      expect(h1.recentFrom).toBe(step - rows + 1);
      expect(h1.recentCodes).toHaveLength(rows * 32);
      expect(h1.recentCodes!.subarray((rows - 1) * 32)).toEqual(h1.code);
      const [action, signal] = frame.modalities!;
      expect(action.name).toBe('action');
      expect(action.scored).toBeInstanceOf(Float32Array);
      expect(Array.from(action.actual!)).toEqual([0, 1, 2, 3].map((k) => (k === step % 4 ? 1 : 0)));
      expect(Array.from(action.forecast)).toEqual(Array.from(action.scored!).reverse());
      expect(action.lastScored!.step).toBe(step);
      expect(signal.forecast).toHaveLength(2);
      expect(signal.actual === null).toBe(step % 10 === 9);
      expect(Object.keys(frame.losses!)).toEqual(['encoder', 'reconstruction', 'top']);
      expect(frame.losses!.encoder).toBe(1 / (1 + step * 0.002));
      expect(Object.keys(frame.metrics!)).toEqual(['accuracy', 'logLoss']);
      expect(frame.metrics!.logLoss).toBe(-Math.log(0.55));
    });

    it('carry null for a modality that is absent at the step, and its latest scoring', async () => {
      const { client } = await setup({ run: createFakeRun({ mode: 'timer', intervalMs: 2 }), rate: 60 });
      const absent = (await client.waitFor((m) => isFrame(m) && m.step % 10 === 9, {
        timeoutMs: 8000,
      })) as FrameMessage;
      const signal = absent.modalities![1]!;
      expect(signal).toMatchObject({ name: 'signal', scored: null, actual: null });
      expect(signal.lastScored!.step).toBeLessThan(absent.step);
      expect(signal.lastScored!.actual).toHaveLength(2);
    });

    it('leave out the recent codes without the part "recent"', async () => {
      const { client } = await setup();
      client.send({ type: 'subscribe', id: 1, parts: ['layers'] });
      const ack = await client.waitFor(isAck);
      const frame = await client.waitFor(isFrame, { since: client.messages.indexOf(ack) + 1 });
      expect(frame.layers![0]).not.toHaveProperty('recentCodes');
      expect(frame.layers![0]).not.toHaveProperty('recentFrom');
      expect(frame.layers![0]!.code).toEqual(wave(32, frame.step, 0, false));
    });

    it('sample the latest step, so steps advance between frames', async () => {
      const { client } = await setup();
      const first = await client.waitFor(isFrame);
      const later = await client.waitFor(isFrame);
      expect(later.step).toBeGreaterThan(first.step);
    });
  });

  describe('subscriptions', () => {
    it('filter the parts a client asked for and acknowledge with the request id', async () => {
      const { client } = await setup();
      client.send({ type: 'subscribe', id: 7, parts: ['losses', 'metrics'] });
      const ack = await client.waitFor(isAck);
      expect(ack).toMatchObject({ id: 7, of: 'subscribe', subscription: { parts: ['losses', 'metrics'], rate: 10 } });
      const since = client.messages.indexOf(ack) + 1;
      const frame = await client.waitFor(isFrame, { since });
      expect(Object.keys(frame).sort()).toEqual([
        'dropped',
        'episode',
        'losses',
        'metrics',
        'step',
        'stepsPerSecond',
        'type',
      ]);
      expect(frame.losses).toEqual({
        encoder: 1 / (1 + frame.step * 0.002),
        reconstruction: 0.5 / (1 + frame.step * 0.003),
        top: 0.2 + 0.1 * Math.sin(frame.step * 0.01),
      });
    });

    it('filter layers and modalities by name', async () => {
      const { client } = await setup();
      client.send({ type: 'subscribe', id: 'a', layers: ['h2'], modalities: ['signal'] });
      const ack = await client.waitFor(isAck);
      const frame = await client.waitFor(isFrame, { since: client.messages.indexOf(ack) + 1 });
      expect(frame.layers!.map((l) => l.name)).toEqual(['h2']);
      expect(frame.modalities!.map((m) => m.name)).toEqual(['signal']);
    });

    it('honour the rate roughly and clamp it into [0.2, 60]', async () => {
      const { client } = await setup();
      client.send({ type: 'subscribe', rate: 5 });
      await client.waitFor(isAck);
      const slow = await framesDuring(client, 2000);
      expect(slow.length).toBeGreaterThanOrEqual(6);
      expect(slow.length).toBeLessThanOrEqual(13);

      client.send({ type: 'subscribe', rate: 1000 });
      expect(await client.waitFor(isAck)).toMatchObject({ subscription: { rate: 60 } });
      // At least twice the slow rate: under a loaded machine the run itself makes fewer than 60
      // frames a second (16 were seen), and the clamp is what the upper bound checks.
      const fast = await framesDuring(client, 1000);
      expect(fast.length).toBeGreaterThanOrEqual(10);
      expect(fast.length).toBeLessThanOrEqual(70);

      client.send({ type: 'control', action: 'rate', value: 0 });
      expect(await client.waitFor(isAck)).toMatchObject({ of: 'control', action: 'rate', rate: 0.2 });
    });
  });

  describe('controls', () => {
    it('pause the run, step it one step at a time and resume it, telling every client', async () => {
      const { run, viewer, client } = await setup();
      const other = await connectClient(socketUrl(viewer.port));
      cleanup.push(() => other.close());
      await client.waitFor(isFrame);

      // Marks taken before each request: the replies may land before we start waiting.
      const marks = () => ({ since: client.messages.length, other: other.messages.length });
      let m = marks();
      client.send({ type: 'control', id: 1, action: 'pause' });
      const ack = await client.waitFor(isAck, { since: m.since });
      expect(ack).toMatchObject({ id: 1, of: 'control', action: 'pause', state: { paused: true } });
      expect(await other.waitFor(isState, { since: m.other })).toMatchObject({ paused: true });
      const held = run.steps;
      await new Promise((r) => setTimeout(r, 300));
      expect(run.steps).toBe(held);

      m = marks();
      client.send({ type: 'control', id: 2, action: 'step' });
      expect(await other.waitFor(isState, { since: m.other })).toMatchObject({ paused: true, step: held + 1 });
      await client.waitFor((x) => isFrame(x) && x.step === held + 1, { since: m.since });

      m = marks();
      client.send({ type: 'control', id: 3, action: 'resume' });
      expect(await other.waitFor(isState, { since: m.other })).toMatchObject({ paused: false });
      await other.waitFor((x) => isFrame(x) && x.step > held + 1, { since: m.other });
    });

    it('refuse a step while the run is going', async () => {
      const { client } = await setup();
      client.send({ type: 'control', id: 9, action: 'step' });
      const error = await client.waitFor(isError);
      expect(error).toMatchObject({ id: 9, code: 'ERR_PROTOCOL' });
      expect(error.message).toMatch(/expected the run to be paused/);
    });
  });

  describe('faults', () => {
    it("report a failing frame stream as an 'error' event and keep serving clients", async () => {
      const base = createFakeRun({ startPaused: true });
      const frames = new Subject<Frame>();
      const run = {
        ...base,
        topology: base.topology,
        frames,
        state: () => base.state(),
        pause: () => base.pause(),
        resume: () => base.resume(),
        step: () => base.step(),
      };
      const viewer = await startViewer(run, { port: 0, ...quiet });
      cleanup.push(
        () => base.stop(),
        () => viewer.close(),
      );
      const faults: Error[] = [];
      viewer.on('error', (error: Error) => faults.push(error));
      frames.error(new Error('engine lost'));
      expect(faults.map((e) => e.message)).toEqual(['run.frames failed: engine lost']);
      const client = await connectClient(socketUrl(viewer.port));
      cleanup.push(() => client.close());
      expect(client.hello.protocol).toBe(2);
    });

    it("answer a control the run cannot carry out with an error carrying the run's code", async () => {
      const base = createFakeRun();
      const run = Object.assign(Object.create(base) as FakeRun, {
        pause: () => {
          throw Object.assign(new Error('Run.pause: expected a live run, but it has ended'), {
            code: 'ERR_EPISODE_ENDED',
          });
        },
      });
      const viewer = await startViewer(run, { port: 0, ...quiet });
      const client = await connectClient(socketUrl(viewer.port));
      cleanup.push(
        () => base.stop(),
        () => viewer.close(),
        () => client.close(),
      );
      client.send({ type: 'control', id: 4, action: 'pause' });
      expect(await client.waitFor(isError)).toEqual({
        type: 'error',
        code: 'ERR_EPISODE_ENDED',
        id: 4,
        message: 'Run.pause: expected a live run, but it has ended',
      });
      await client.waitFor(isFrame);
    });
  });

  describe('options', () => {
    it('throw at once on misuse, naming the option', () => {
      const run = createFakeRun({ startPaused: true });
      expect(() => startViewer(run, { port: -1 })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTION', message: expect.stringMatching(/"port".*but got -1/) }),
      );
      expect(() => startViewer(run, { defaultRate: 100 })).toThrow(/defaultRate/);
      expect(() => startViewer(run, { token: 'short' })).toThrow(/token/);
      expect(() => startViewer(run, { prot: 1 } as never)).toThrow(/unknown option "prot"/);
      expect(() => startViewer({} as never)).toThrow(/expected a RunController/);
      run.stop();
    });

    it('rejects when the port is taken', async () => {
      const { viewer } = await setup();
      const run = createFakeRun({ startPaused: true });
      cleanup.push(() => run.stop());
      await expect(startViewer(run, { port: viewer.port, ...quiet })).rejects.toThrow(/EADDRINUSE/);
    });
  });

  describe('close', () => {
    it('says goodbye to clients with 1001 and stops listening', async () => {
      const { viewer, client } = await setup();
      const code = new Promise<number>((resolve) => client.ws.once('close', (c) => resolve(c)));
      await viewer.close();
      expect(await code).toBe(1001);
      await expect(connectClient(socketUrl(viewer.port))).rejects.toThrow();
      await viewer.close();
    });
  });
});
