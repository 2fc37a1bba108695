// Cluster bench: observations per second through NATS JetStream to 1 and to 2 agent processes
// (`tprop agent`, child processes) learning 8 streams of Reber-v0, the end-to-end latency
// (publish → learned, median and 99th percentile, once warm) at half that rate, against the same agents fed
// in this process; then, with --long, the memory (RSS) of every process over a long run.
//   npm run bench -- cluster [--steps 3000] [--long 1000000] [--layers 8] [--json]
// A nats-server of its own on a free port (the tests' helper); the publisher runs in this process.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Unpackr } from 'msgpackr';
import '../../agents/index.js';
import { EnvironmentPublisher, connectNats, type NatsLink } from '../../cluster/index.js';
import '../../environments/index.js';
import { createAgent, environmentTransitions, initEngine, makeEnvironment, type AgentConfig } from '../../src/index.js';
import { startNatsServer, type TestNatsServer } from '../cluster/helpers/nats-server.js';
import { finish, printTable, progress, type Row } from './report.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const STREAMS = 8;
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function rssMB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Math.round(Number(kb) / 1024);
  } catch {
    return null;
  }
}

/** Learned steps as the agents announce them on tprop.predictions.<run>-k: counts, times, latencies. */
class Learned {
  count = 0;
  first = Infinity;
  last = 0;
  latencies: number[] = [];
  keepLatencies = true;

  constructor(link: NatsLink, run: string) {
    link.connection.subscribe('tprop.predictions.*', {
      callback: (_error, message) => {
        if (!message.subject.startsWith(`tprop.predictions.${run}-`)) return;
        const body = unpackr.unpack(message.data) as { time: number; learnedAt: number };
        this.count++;
        this.first = Math.min(this.first, body.learnedAt);
        this.last = Math.max(this.last, body.learnedAt);
        if (this.keepLatencies) this.latencies.push(body.learnedAt - body.time);
      },
    });
  }

  async until(count: number, timeoutMs: number): Promise<void> {
    const end = performance.now() + timeoutMs;
    while (this.count < count) {
      if (performance.now() > end) throw new Error(`cluster bench: ${this.count} of ${count} learned in time`);
      await sleep(50);
    }
  }
}

interface AgentProcess {
  readonly child: ChildProcess;
  /** The latest JSON line of the agent (counts and memory). */
  latest: Record<string, number>;
  readonly ready: Promise<void>;
}

function startAgent(url: string, run: string, share: string, configPath: string): AgentProcess {
  const child = spawn(
    process.execPath,
    ['cli/tprop.js', 'agent', '--nats', url, '--run', run, '--share', share, '--config', configPath, '--json'].concat([
      '--checkpoint-every',
      '200',
      '--frame-ms',
      '250',
    ]),
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TPROP_QUIET: '1' } },
  );
  const agent: AgentProcess = {
    child,
    latest: {},
    ready: new Promise((resolve, reject) => {
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        if (chunk.includes('tprop agent: learning run')) resolve();
        if (chunk.includes('tprop: ERR_') || chunk.includes('unexpected error')) reject(new Error(chunk));
      });
      child.once('exit', (code) => reject(new Error(`agent process exited with ${code}`)));
    }),
  };
  agent.ready.catch(() => undefined);
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) {
      try {
        agent.latest = JSON.parse(line) as Record<string, number>;
      } catch {
        // a partial line
      }
    }
  });
  return agent;
}

async function stopAgents(agents: readonly AgentProcess[]): Promise<void> {
  await Promise.all(
    agents.map(
      (a) =>
        new Promise<void>((resolve) => {
          if (a.child.exitCode !== null) return resolve();
          a.child.once('exit', () => resolve());
          a.child.kill('SIGINT');
        }),
    ),
  );
}

/** The same agents fed in this process: 8 streams round-robin, one agent each. */
function inProcess(config: AgentConfig, steps: number): { perSecond: number; medianMs: number; p99Ms: number } {
  const environments = Array.from({ length: STREAMS }, () => makeEnvironment('Reber-v0'));
  const agents = environments.map((e) => createAgent(config, e.observationSpace));
  const loops = environments.map((e, k) => environmentTransitions(e, { seed: k, steps }));
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < steps; i++) {
    for (let k = 0; k < STREAMS; k++) {
      const t = loops[k]!.next().value!;
      const before = performance.now();
      agents[k]!.observe(t);
      times.push(performance.now() - before);
    }
  }
  const perSecond = (steps * STREAMS) / ((performance.now() - started) / 1000);
  for (const a of agents) a.dispose();
  times.sort((a, b) => a - b);
  return { perSecond, medianMs: quantile(times, 0.5), p99Ms: quantile(times, 0.99) };
}

interface Phase {
  readonly processes: number;
  readonly perSecond: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly latencyRate: number;
}

async function throughPhase(
  server: TestNatsServer,
  link: NatsLink,
  configPath: string,
  processes: number,
  steps: number,
): Promise<Phase> {
  // Throughput: the streams are stored first, then the agents learn them as fast as they can.
  const run = `bench${processes}`;
  const learned = new Learned(link, run);
  learned.keepLatencies = false;
  const publish = (name: string, count: number, ratePerSecond?: number) =>
    EnvironmentPublisher.start({
      link,
      run: name,
      environment: () => makeEnvironment('Reber-v0'),
      streams: STREAMS,
      steps: count,
      ratePerSecond,
    });
  await (await publish(run, steps)).done;
  const shares = Array.from({ length: processes }, (_, i) => `${i}/${processes}`);
  let agents = shares.map((share) => startAgent(server.url, run, share, configPath));
  await Promise.all(agents.map((a) => a.ready));
  await learned.until(steps * STREAMS, 600_000);
  const perSecond = learned.count / ((learned.last - learned.first) / 1000);
  await stopAgents(agents);
  progress(`cluster: ${processes} process(es): ${Math.round(perSecond)} observations/s`);
  // Latency: a new run whose agents first learn 1,000 steps a stream as fast as they can (their warm-up:
  // JIT, wasm), then the rest comes at half the throughput for about 8 s (a stream started again goes
  // on after its last step); only those are timed.
  const latencyRun = `lat${processes}`;
  const timed = new Learned(link, latencyRun);
  const warm = 1000;
  await (await publish(latencyRun, warm)).done;
  agents = shares.map((share) => startAgent(server.url, latencyRun, share, configPath));
  await Promise.all(agents.map((a) => a.ready));
  await timed.until(warm * STREAMS, 600_000);
  timed.latencies = [];
  const rate = perSecond / 2 / STREAMS;
  const latencySteps = warm + Math.max(200, Math.round(rate * 8));
  await (await publish(latencyRun, latencySteps, rate)).done;
  await timed.until(latencySteps * STREAMS, 600_000);
  await stopAgents(agents);
  const latencies = [...timed.latencies].sort((a, b) => a - b);
  return {
    processes,
    perSecond,
    medianMs: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    latencyRate: rate * STREAMS,
  };
}

/** A long run (`total` observations) through 2 agent processes: the RSS of every process over it. */
async function longPhase(
  server: TestNatsServer,
  link: NatsLink,
  configPath: string,
  total: number,
  serverPid: number | undefined,
): Promise<Row[]> {
  const run = 'long';
  const learned = new Learned(link, run);
  learned.keepLatencies = false;
  const agents = ['0/2', '1/2'].map((share) => startAgent(server.url, run, share, configPath));
  const publisher = await EnvironmentPublisher.start({
    link,
    run,
    environment: () => makeEnvironment('Reber-v0'),
    streams: STREAMS,
    steps: Math.ceil(total / STREAMS),
  });
  await Promise.all(agents.map((a) => a.ready));
  const rows: Row[] = [];
  const started = performance.now();
  let next = 0;
  for (;;) {
    if (learned.count >= next || learned.count >= total) {
      rows.push({
        learned: learned.count,
        seconds: Math.round((performance.now() - started) / 1000),
        agent0RssMB: rssMB(agents[0]!.child.pid),
        agent0HeapMB: agents[0]!.latest.heapMB ?? null,
        agent1RssMB: rssMB(agents[1]!.child.pid),
        agent1HeapMB: agents[1]!.latest.heapMB ?? null,
        publisherRssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
        natsServerRssMB: rssMB(serverPid),
      });
      progress(`cluster long: ${JSON.stringify(rows.at(-1))}`);
      next += total / 10;
    }
    if (learned.count >= total) break;
    await sleep(200);
  }
  await publisher.done;
  await stopAgents(agents);
  return rows;
}

export async function clusterBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      steps: { type: 'string', default: '3000' },
      long: { type: 'string', default: '0' },
      layers: { type: 'string', default: '8' },
      json: { type: 'boolean', default: false },
    },
  });
  const steps = Number(values.steps);
  const long = Number(values.long);
  const config: AgentConfig = { kind: 'predictive', layers: values.layers!.split(',').map(Number), seed: 1 };
  await initEngine({ quiet: true });
  const dir = mkdtempSync(join(tmpdir(), 'tprop-cluster-bench-'));
  const configPath = join(dir, 'agent.json');
  writeFileSync(configPath, JSON.stringify(config));
  const server = await startNatsServer();
  const link = await connectNats({ url: server.url });
  try {
    inProcess(config, 300); // warm-up
    const local = inProcess(config, Math.min(steps, 2000));
    progress(`cluster: in-process: ${Math.round(local.perSecond)} observations/s`);
    const rows: Row[] = [
      {
        feed: 'in-process (1 process, 8 agents)',
        processes: 1,
        observationsPerSecond: Math.round(local.perSecond),
        latencyMedianMs: local.medianMs,
        latencyP99Ms: local.p99Ms,
        at: 'full speed (step time)',
      },
    ];
    for (const processes of [1, 2]) {
      const phase = await throughPhase(server, link, configPath, processes, steps);
      rows.push({
        feed: `NATS JetStream (${processes} agent process${processes === 1 ? '' : 'es'})`,
        processes,
        observationsPerSecond: Math.round(phase.perSecond),
        latencyMedianMs: phase.medianMs,
        latencyP99Ms: phase.p99Ms,
        at: `${Math.round(phase.latencyRate)}/s`,
      });
    }
    const columns = ['feed', 'processes', 'observationsPerSecond', 'latencyMedianMs', 'latencyP99Ms', 'at'];
    printTable(`Cluster: 8 streams of Reber-v0, agents ${JSON.stringify(config)}`, rows, columns);
    const memory = long > 0 ? await longPhase(server, link, configPath, long, server.pid) : [];
    if (memory.length > 0)
      printTable(`Memory over ${long} observations (2 agent processes)`, memory, Object.keys(memory[0]!));
    finish('cluster', { config, streams: STREAMS, steps, rows, memory, cores: 2 }, values.json === true);
  } finally {
    await link.close();
    await server.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
