// The NATS bridge against a real `nats-server -js` (one per file, with a user and password): an
// environment process and two agent processes learn 8 streams, each observation exactly once,
// through a SIGKILL of one agent process and its restart, with the metrics of an uninterrupted
// run; bad input is dead-lettered or ignored and counted; a wrong credential is refused; a
// restart of the server is survived by every client. Tiny agents and a few hundred steps.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../agents/index.js';
import '../../environments/index.js';
import {
  AgentNode,
  CheckpointStore,
  DEAD_LETTER_HEADERS,
  DEAD_LETTER_STREAM,
  EnvironmentPublisher,
  NatsError,
  RemoteRun,
  SUBJECTS,
  connectNats,
  encodeObservation,
  obsStream,
  openBuckets,
  replayRun,
  type LearnerCheckpoint,
  type NatsLink,
} from '../../cluster/index.js';
import {
  LiveRun,
  createAgent,
  environmentTransitions,
  initEngine,
  makeEnvironment,
  type AgentConfig,
} from '../../src/index.js';
import { jsonLines, startCli, type CliProcess } from '../cli/helpers/run-cli.js';
import { connectClient, isFrame, socketUrl } from '../server/helpers/test-client.js';
import { SKIP_NATS, startNatsServer, type TestNatsServer } from './helpers/nats-server.js';

if (SKIP_NATS !== null) console.warn(`cluster/bridge.test: skipped, because ${SKIP_NATS}`);

const CONFIG: AgentConfig = { kind: 'predictive', layers: [8], window: 4, seed: 1 };
const STEPS = 240;
const STREAMS = 8;

let server: TestNatsServer;
let link: NatsLink;
let dir: string;
let checkpoints: CheckpointStore;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | null> | T | null, timeoutMs = 30_000): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The stream sequences of every message of `run`, by observation stream. */
async function sequencesOf(run: string): Promise<Map<number, number[]>> {
  const js = jetstream(link.connection);
  const consumer = await js.consumers.get(obsStream(run));
  const jsm = await jetstreamManager(link.connection);
  const last = (await jsm.streams.info(obsStream(run))).state.last_seq;
  const bySubject = new Map<number, number[]>();
  const messages = await consumer.consume();
  for await (const m of messages) {
    const k = Number(m.subject.split('.').at(-1));
    bySubject.set(k, [...(bySubject.get(k) ?? []), m.seq]);
    if (m.seq >= last) break;
  }
  await messages.close();
  return bySubject;
}

/** The metrics an uninterrupted in-process run of stream k reaches after `steps` steps. */
function referenceMetrics(k: number, steps: number): Record<string, number> {
  const environment = makeEnvironment('Reber-v0');
  const agent = createAgent(CONFIG, environment.observationSpace);
  for (const t of environmentTransitions(environment, { seed: k, steps })) agent.observe(t);
  const metrics = { ...agent.metrics() };
  agent.dispose();
  return metrics;
}

function expectClose(actual: Record<string, number>, expected: Record<string, number>): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [name, value] of Object.entries(expected)) expect(Math.abs(actual[name]! - value)).toBeLessThan(1e-6);
}

describe.skipIf(SKIP_NATS !== null)('NATS bridge', () => {
  beforeAll(async () => {
    await initEngine({ quiet: true });
    server = await startNatsServer({ user: 'tprop', pass: 'secret' });
    link = await connectNats({ url: server.url });
    checkpoints = new CheckpointStore((await openBuckets(link.connection)).checkpoints);
    dir = mkdtempSync(join(tmpdir(), 'tprop-bridge-'));
    writeFileSync(join(dir, 'agent.json'), JSON.stringify(CONFIG));
  });

  afterAll(async () => {
    await link?.close();
    await server?.dispose();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  describe('processes', () => {
    it('learn 8 streams exactly once through a SIGKILL of an agent process and its restart', async () => {
      const run = 'eight';
      const agentArgs = (share: string) => [
        'agent',
        ...['--nats', server.url, '--run', run, '--share', share, '--config', join(dir, 'agent.json')],
        ...['--checkpoint-every', '40', '--frame-ms', share === '1/2' ? '100' : '0', '--json'],
      ];
      const killed = startCli(agentArgs('0/2'));
      const other = startCli(agentArgs('1/2'));
      const env = startCli(
        ['env', 'Reber-v0', '--nats', server.url, '--run', run, '--streams', String(STREAMS)].concat([
          '--steps',
          String(STEPS),
          '--rate',
          '150',
          '--json',
        ]),
      );
      const saved = (k: number) => checkpoints.load(`${run}-${k}`);
      // Mid-run: stream 0 (share 0) has saved, and has more to learn.
      await until('a first checkpoint of stream 0', async () => ((await saved(0))?.lastStep ?? -1) >= 60 || null);
      killed.child.kill('SIGKILL');
      const { signal } = await killed.exited;
      expect(signal).toBe('SIGKILL');
      const restarted: CliProcess = startCli(agentArgs('0/2'));
      // Meanwhile a viewer attaches to an agent of the other process: its page's socket gets frames.
      const watcher = startCli(['run', '--viewer', '--nats', server.url, '--watch', `${run}-1`, '--port', '0']);
      const { viewer } = await watcher.waitForJson((line) => typeof line.viewer === 'string');
      const client = await connectClient(socketUrl(Number(new URL(viewer as string).port)));
      expect((await client.waitFor(isFrame, { since: 0 })).step).toBeGreaterThan(0);
      await client.close();
      watcher.child.kill('SIGINT');
      expect((await watcher.exited).code).toBe(130);
      const done = await until(
        'every stream learned to its end',
        async () => {
          const all = await Promise.all(Array.from({ length: STREAMS }, (_, k) => saved(k)));
          return all.every((c) => c?.lastStep === STEPS - 1) ? (all as LearnerCheckpoint[]) : null;
        },
        45_000,
      );
      expect((await env.exited).code).toBe(0);
      for (const p of [restarted, other]) p.child.kill('SIGINT');
      const results = await Promise.all([restarted.exited, other.exited]);
      expect(results.map((r) => r.code)).toEqual([130, 130]);
      // The process never killed says, last, that it learned each of its 4 streams' steps once.
      expect(jsonLines(results[1]!.stdout).at(-1)).toMatchObject({ done: true, learned: 4 * STEPS, duplicates: 0 });
      // The restarted process resumed from a checkpoint before the end: it had steps to learn again.
      const resumedAt = Number(/eight-0 resumes after step (\d+)/.exec(results[0]!.stderr)?.[1]);
      expect(resumedAt).toBeLessThan(STEPS - 1);

      const sequences = await sequencesOf(run);
      for (const [k, c] of done.entries()) {
        // Every observation once: as many as were published, their steps and stream sequences each once.
        const seqs = sequences.get(k)!;
        expect(seqs.length).toBe(STEPS);
        expect(c.learned).toBe(STEPS);
        expect(c.stepSum).toBe((STEPS * (STEPS - 1)) / 2);
        expect(c.seqSum).toBe(seqs.reduce((a, b) => a + b, 0));
        expect(c.lastSeq).toBe(seqs.at(-1));
        expect([c.gaps, c.deadLettered, c.unknownRun]).toEqual([0, 0, 0]);
      }
      // Every stream, the killed process's resumed ones too, learned what an uninterrupted run learns.
      for (const [k, c] of done.entries()) expectClose(c.metrics, referenceMetrics(k, STEPS));
    });
  });

  describe('sharing by leases', () => {
    it('shares the streams out evenly, and takes over those of a process that dies, exactly once', async () => {
      const run = 'leased';
      const steps = 160;
      const publisher = await EnvironmentPublisher.start({
        link,
        run,
        environment: () => makeEnvironment('Reber-v0'),
        streams: 4,
        steps,
        ratePerSecond: 50,
      });
      const options = { run, config: CONFIG, streams: 'auto' as const, leaseMs: 1000, checkpointEvery: 20 };
      const links = [await connectNats({ url: server.url }), await connectNats({ url: server.url })];
      const first = await AgentNode.start({ link: links[0]!, ...options, frameIntervalMs: 0 });
      expect(first.learners.map((l) => l.stream)).toEqual([0, 1, 2, 3]);
      const second = await AgentNode.start({ link: links[1]!, ...options, frameIntervalMs: 0 });
      const streamsOf = (node: AgentNode) => node.learners.map((l) => l.stream);
      await until('an even share', () => (streamsOf(first).length === 2 && streamsOf(second).length === 2 ? 1 : null));
      expect([...streamsOf(first), ...streamsOf(second)].sort()).toEqual([0, 1, 2, 3]);
      // The first process dies: its connection gone, no save, no goodbye; its leases run out.
      await links[0]!.connection.close();
      await until('the streams taken over', () => (streamsOf(second).length === 4 ? 1 : null), 10_000);
      await publisher.done;
      const done = await until('every stream learned', async () => {
        const all = await Promise.all([0, 1, 2, 3].map((k) => checkpoints.load(`${run}-${k}`)));
        return all.every((c) => c?.lastStep === steps - 1) ? (all as LearnerCheckpoint[]) : null;
      });
      for (const [k, c] of done.entries()) {
        expect([c.learned, c.stepSum, c.gaps]).toEqual([steps, (steps * (steps - 1)) / 2, 0]);
        expectClose(c.metrics, referenceMetrics(k, steps));
      }
      await second.stop();
      await first.stop();
      await links[1]!.close();
    });
  });

  describe('an environment process started again', () => {
    it('goes on after the last step its stream stored, regenerating the steps before without publishing', async () => {
      const run = 'again-env';
      const first = await EnvironmentPublisher.start({
        link,
        run,
        environment: () => makeEnvironment('Reber-v0'),
        steps: 30,
      });
      await first.done;
      const second = await EnvironmentPublisher.start({
        link,
        run,
        environment: () => makeEnvironment('Reber-v0'),
        steps: 50,
      });
      await second.done;
      expect(second.stats()).toMatchObject({ published: 20, fastForwarded: 30, duplicates: 0 });
      const node = await AgentNode.start({ link, run, config: CONFIG, frameIntervalMs: 0 });
      await until('the stream learned', () => (node.stats().streams[0]!.lastStep === 49 ? true : null));
      expect(node.stats()).toMatchObject({ learned: 50, gaps: 0, duplicates: 0 });
      // The stream's stats carry its agent's metrics, those the checkpoint saves.
      const live = node.stats().streams[0]!.metrics;
      await node.stop();
      expectClose((await checkpoints.load(`${run}-0`))!.metrics, referenceMetrics(0, 50));
      expectClose(live, referenceMetrics(0, 50));
    });
  });

  describe('an acting agent', () => {
    it('answers the environment’s action requests, and acts as it does in one process', async () => {
      const run = 'bandit';
      const steps = 120;
      const config: AgentConfig = { kind: 'acting', layers: [8], seed: 1 };
      // Started first: the node waits for the run to be registered.
      const starting = AgentNode.start({ link, run, config, checkpointEvery: 30, frameIntervalMs: 0 });
      const publisher = await EnvironmentPublisher.start({
        link,
        run,
        environment: () => makeEnvironment('TenArmedTestbed-v0'),
        steps,
      });
      const learner = await starting;
      await publisher.done;
      const stats = await until('the bandit learned', () =>
        learner.stats().streams[0]!.lastStep === steps - 1 ? 1 : null,
      );
      expect(stats).toBe(1);
      await learner.stop();
      const saved = (await checkpoints.load(`${run}-0`))!;
      const environment = makeEnvironment('TenArmedTestbed-v0');
      const agent = createAgent(config, environment.observationSpace, environment.actionSpace);
      const reference = new LiveRun(agent, environment, { seed: 0, steps });
      reference.start();
      const result = await reference.done;
      expectClose(saved.metrics, result.metrics);
      agent.dispose();
    });
  });

  describe('bad input', () => {
    it('dead-letters malformed, oversized and misshapen messages, ignores another run’s, and goes on', async () => {
      const run = 'bad';
      const publisher = await EnvironmentPublisher.start({
        link,
        run,
        environment: () => makeEnvironment('Reber-v0'),
        steps: 20,
      });
      await publisher.done;
      const node = await AgentNode.start({ link, run, config: CONFIG, checkpointEvery: 5, frameIntervalMs: 0 });
      const subject = SUBJECTS.observations(run, 0);
      const reber = makeEnvironment('Reber-v0');
      const next = [...environmentTransitions(reber, { seed: 0, steps: 22 })].slice(20);
      link.connection.publish(subject, Uint8Array.of(0xc1, 0x00, 0x01)); // not msgpack
      link.connection.publish(subject, Uint8Array.of(0xd6, 0x42, 1, 2, 3, 4)); // an extension (a BigInt)
      link.connection.publish(subject, new Uint8Array(70_000)); // beyond maxObservationBytes
      link.connection.publish(subject, encodeObservation('someone-else', 0, next[0]!)); // another run's
      link.connection.publish(subject, encodeObservation(run, 0, { ...next[0]!, observation: new Float32Array(3) }));
      link.connection.publish(subject, encodeObservation(run, 0, next[0]!));
      link.connection.publish(subject, encodeObservation(run, 0, next[1]!));
      const stats = await until('the bad messages handled', () => {
        const s = node.stats();
        return s.learned === 22 ? s : null;
      });
      expect([stats.deadLettered, stats.unknownRun, stats.gaps, stats.duplicates]).toEqual([4, 1, 0, 0]);
      const jsm = await jetstreamManager(link.connection);
      const codes: string[] = [];
      for (let seq = 1; seq <= 4; seq++) {
        const letter = await jsm.streams.getMessage(DEAD_LETTER_STREAM, { seq });
        expect(letter?.subject).toBe(SUBJECTS.deadLetter(run, 0));
        codes.push(letter!.header.get(DEAD_LETTER_HEADERS.code));
      }
      expect(codes).toEqual(['ERR_NATS_MALFORMED', 'ERR_NATS_MALFORMED', 'ERR_NATS_OVERSIZED', 'ERR_SHAPE_MISMATCH']);
      await node.stop();
    });

    it('refuses a wrong credential with ERR_NATS_AUTH, in the API and on the command line', async () => {
      const wrong = `nats://tprop:wrong@127.0.0.1:${server.port}`;
      const error = await connectNats({ url: wrong }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NatsError);
      expect((error as NatsError).code).toBe('ERR_NATS_AUTH');
      const cli = await startCli(['agent', '--nats', wrong, '--run', 'x']).exited;
      expect(cli.code).toBe(2);
      expect(cli.stderr).toMatch(
        /^tprop: ERR_NATS_AUTH: connectNats: the server at nats:\/\/\*\*\*@127\.0\.0\.1:\d+ refused the credentials/m,
      );
    });
  });

  describe('checkpoints', () => {
    it('go to the object store when too large for a key-value entry, and come back whole', async () => {
      const { checkpoints: bucket } = await openBuckets(link.connection);
      const small = new CheckpointStore(bucket, link.connection, 1000);
      const environment = makeEnvironment('Reber-v0');
      const agent = createAgent(CONFIG, environment.observationSpace);
      for (const t of environmentTransitions(environment, { seed: 0, steps: 30 })) agent.observe(t);
      const checkpoint: LearnerCheckpoint = {
        run: 'big',
        stream: 0,
        agent: agent.getState(),
        ...{ lastSeq: 30, lastStep: 29, learned: 30, stepSum: 435, seqSum: 465 },
        ...{ duplicates: 0, deadLettered: 0, unknownRun: 0, gaps: 0, metrics: agent.metrics(), savedAt: 0 },
      };
      await small.save('big-0', checkpoint);
      expect((await bucket.get('big-0'))!.value.length).toBeLessThan(1000);
      const back = (await small.load('big-0'))!;
      expect(back.lastSeq).toBe(30);
      const copy = createAgent(CONFIG, environment.observationSpace);
      copy.setState(back.agent);
      expect(copy.metrics()).toEqual(agent.metrics());
      agent.dispose();
      copy.dispose();
    });
  });

  describe('fencing', () => {
    it('refuses the checkpoint of a second process learning the same stream (ERR_NATS_FENCED)', async () => {
      const { checkpoints: bucket } = await openBuckets(link.connection);
      const [one, two] = [new CheckpointStore(bucket), new CheckpointStore(bucket)];
      expect(await one.load('fenced-0')).toBeNull();
      expect(await two.load('fenced-0')).toBeNull();
      const environment = makeEnvironment('Reber-v0');
      const agent = createAgent(CONFIG, environment.observationSpace);
      const checkpoint: LearnerCheckpoint = {
        run: 'fenced',
        stream: 0,
        agent: agent.getState(),
        ...{ lastSeq: 1, lastStep: 0, learned: 1, stepSum: 0, seqSum: 1, duplicates: 0, deadLettered: 0 },
        ...{ unknownRun: 0, gaps: 0, metrics: {}, savedAt: 0 },
      };
      agent.dispose();
      await one.save('fenced-0', checkpoint);
      await one.save('fenced-0', { ...checkpoint, lastSeq: 2 });
      const refused = await two.save('fenced-0', checkpoint).catch((e: unknown) => e);
      expect((refused as NatsError).code).toBe('ERR_NATS_FENCED');
      // The very bytes the key holds (a retry of a write whose reply was lost) are not a conflict.
      await two.save('fenced-0', { ...checkpoint, lastSeq: 2 });
      expect((await two.load('fenced-0'))!.lastSeq).toBe(2);
    });
  });

  describe('replay', () => {
    it('publishes a recorded run anew, fast or at its original pace, for agents to learn again', async () => {
      const publisher = await EnvironmentPublisher.start({
        link,
        run: 'recorded',
        environment: () => makeEnvironment('Reber-v0'),
        streams: 2,
        steps: 40,
        ratePerSecond: 100,
      });
      await publisher.done;
      const fast = await replayRun({ link, from: 'recorded', run: 'again', rate: 'fast' });
      expect([fast.published, fast.unreadable]).toEqual([80, 0]);
      const paced = await replayRun({ link, from: 'recorded', run: 'paced', rate: 'original' });
      expect(paced.published).toBe(80);
      // 40 steps at 100 a second took about 0.4 s to record, and as long to replay.
      expect(paced.seconds).toBeGreaterThan(0.3);
      expect(fast.seconds).toBeLessThan(paced.seconds);
      const node = await AgentNode.start({ link, run: 'again', config: CONFIG, frameIntervalMs: 0 });
      await until('the replay learned', () => (node.stats().streams.every((s) => s.lastStep === 39) ? true : null));
      await node.stop();
      const replayed = (await checkpoints.load('again-1'))!;
      expectClose(replayed.metrics, referenceMetrics(1, 40));
      const unknown = await replayRun({ link, from: 'no-such-run', run: 'x' }).catch((e: unknown) => e);
      expect((unknown as NatsError).code).toBe('ERR_NATS');
    });
  });

  describe('a server restart', () => {
    it('is survived by the publisher and the agent: they reconnect, count the gap and lose nothing', async () => {
      const run = 'restart';
      const steps = 300;
      const publishing = await connectNats({ url: server.url });
      const learning = await connectNats({ url: server.url });
      const publisher = await EnvironmentPublisher.start({
        link: publishing,
        run,
        environment: () => makeEnvironment('Reber-v0'),
        streams: 2,
        steps,
        ratePerSecond: 200,
      });
      const node = await AgentNode.start({
        link: learning,
        run,
        config: CONFIG,
        checkpointEvery: 25,
        frameIntervalMs: 20,
      });
      const watching = await connectNats({ url: server.url });
      const remote = await RemoteRun.attach(watching, `${run}-0`);
      await until('learning under way', () => (node.stats().learned >= 100 ? true : null));
      await server.restart();
      const framesBefore = remote.received;
      await publisher.done;
      const stats = await until('every step learned', () => {
        const s = node.stats();
        return s.streams.every((x) => x.lastStep === steps - 1) ? s : null;
      });
      for (const s of stats.streams) {
        expect(s.learned).toBe(steps);
        expect(s.gaps).toBe(0);
      }
      for (const l of [publishing, learning, watching, link]) {
        expect(l.disconnects).toBeGreaterThanOrEqual(1);
        expect(l.reconnects).toBeGreaterThanOrEqual(1);
      }
      // The viewer's side kept its subscription through the restart: frames came after it.
      expect(remote.received).toBeGreaterThan(framesBefore);
      remote.close();
      await watching.close();
      await node.stop();
      await publishing.close();
      await learning.close();
    });
  });
});
