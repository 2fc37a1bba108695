// A client written from PROTOCOL.md alone, as a third party would write one: the `ws` package and
// msgpackr's plain `unpack`, nothing from this repository on the client side. Against real runs
// it finds what the document promises: symbol names in the topology, `actual: null` while a label
// is absent, the forecast of one step scored at the next, and only metrics the topology lists.

import { pack, unpack } from 'msgpackr';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import '../../agents/index.js';
import '../../environments/index.js';
import { LiveRun, createAgent, makeEnvironment } from '../../src/index.js';
import { startViewer } from '../../server/index.js';

// biome-ignore lint/suspicious/noExplicitAny: a third party's client sees untyped maps.
type Message = Record<string, any>;

/** The client: every decoded message in order, a way to send, and to wait for a message. */
async function connect(port: number) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket`);
  const messages: Message[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data: Buffer) => {
    messages.push(unpack(data));
    for (const w of [...waiters]) w();
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const next = (match: (m: Message) => boolean, since = 0, timeoutMs = 5000) =>
    new Promise<Message>((resolve, reject) => {
      const check = () => {
        const found = messages.slice(since).find(match);
        if (!found) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching message in ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { ws, messages, next, send: (m: Message) => ws.send(pack(m)) };
}

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function serve(environment: string) {
  const env = makeEnvironment(environment);
  const agent = createAgent({ kind: 'predictive', layers: [16], window: 8, seed: 3 }, env.observationSpace);
  const run = new LiveRun(agent, env, { seed: 3 });
  const viewer = await startViewer(run, { port: 0, log: () => {} });
  cleanup.push(
    () => agent.dispose(),
    () => run.stop(),
    () => viewer.close(),
  );
  const client = await connect(viewer.port);
  cleanup.push(() => client.ws.terminate());
  return { run, client };
}

const isOneHot = (v: unknown, n: number) =>
  v instanceof Float32Array &&
  v.length === n &&
  v.filter((x) => x === 1).length === 1 &&
  v.every((x) => x === 0 || x === 1);

describe('a third-party client, from PROTOCOL.md', () => {
  it('sees actual: null while the label of TemporalOrder-v0 is absent, the scored one when it comes', async () => {
    const { run, client } = await serve('TemporalOrder-v0');
    const hello = await client.next((m) => m.type === 'hello');
    expect(hello.protocol).toBe(2);
    expect(hello.topology.modalities.map((m: Message) => [m.name, m.kind, m.size])).toEqual([
      ['label', 'categorical', 4],
      ['next', 'categorical', 8],
    ]);
    client.send({ type: 'subscribe', id: 1, parts: ['modalities', 'metrics'], rate: 60 });
    await client.next((m) => m.type === 'ack' && m.id === 1);
    run.start(); // paused below before many steps go by; frames are read one step at a time
    client.send({ type: 'control', id: 2, action: 'pause' });
    const paused = await client.next((m) => m.type === 'ack' && m.id === 2);
    let step = paused.state.step as number;
    const frames: Message[] = [];
    for (let i = 0; i < 30; i++) {
      const mark = client.messages.length;
      client.send({ type: 'control', id: 10 + i, action: 'step' });
      step += 1;
      frames.push(await client.next((m) => m.type === 'frame' && m.step === step, mark));
    }
    const label = (f: Message) => f.modalities.find((m: Message) => m.name === 'label');
    const next = (f: Message) => f.modalities.find((m: Message) => m.name === 'next');
    const labelled = frames.filter((f) => label(f).actual !== null);
    // Sequences of 10: a label on the last step of each, absent on the other nine.
    expect(labelled.length).toBeGreaterThanOrEqual(2);
    expect(frames.length - labelled.length).toBeGreaterThanOrEqual(18);
    for (const f of frames) {
      const l = label(f);
      expect(l.forecast).toBeInstanceOf(Float32Array);
      if (l.actual === null) {
        expect(l.scored).toBeNull();
        if (l.lastScored !== null) expect(l.lastScored.step).toBeLessThan(f.step);
      } else {
        expect(isOneHot(l.actual, 4)).toBe(true);
        expect(l.scored).toBeInstanceOf(Float32Array);
        expect(l.scored.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 4);
        expect(l.lastScored.step).toBe(f.step);
        expect(Array.from(l.lastScored.actual)).toEqual(Array.from(l.actual));
      }
      expect(isOneHot(next(f).actual, 8)).toBe(true);
    }
    // The forecast of one step is what gets scored at the next (unless that one starts an episode).
    let checked = 0;
    for (let i = 1; i < frames.length; i++) {
      const scored = next(frames[i]!).scored;
      if (scored === null) continue;
      expect(Array.from(scored)).toEqual(Array.from(next(frames[i - 1]!).forecast));
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(20);
    expect(frames.filter((f) => next(f).scored === null).length).toBeGreaterThanOrEqual(2);
  });

  it('sees the symbol names of Reber-v0 and only metrics the topology lists, never next/critical', async () => {
    const { run, client } = await serve('Reber-v0');
    const hello = await client.next((m) => m.type === 'hello');
    expect(hello.topology.modalities).toEqual([
      { name: 'next', kind: 'categorical', size: 7, labels: ['B', 'T', 'P', 'S', 'X', 'V', 'E'] },
    ]);
    expect(hello.topology.metrics).toEqual(['next/accuracy', 'next/logLoss']);
    expect(hello.topology.about.metrics['next/accuracy']).toMatchObject({ range: [0, 1], chance: 1 / 7 });
    expect(hello.topology.about.metrics['next/accuracy'].definition).toMatch(/predicted before it came/);
    client.send({ type: 'subscribe', parts: ['metrics'], rate: 30 });
    run.start();
    await new Promise((r) => setTimeout(r, 1500));
    let known = new Set<string>(hello.topology.metrics);
    let frames = 0;
    for (const m of client.messages) {
      if (m.type === 'topology') known = new Set(m.topology.metrics);
      if (m.type !== 'frame') continue;
      frames++;
      for (const name of Object.keys(m.metrics)) expect(known.has(name), name).toBe(true);
    }
    expect(frames).toBeGreaterThan(10);
    expect([...known].sort()).toEqual(['next/accuracy', 'next/legal', 'next/logLoss']);
  });
});
