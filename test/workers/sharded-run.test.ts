import { fileURLToPath } from 'node:url';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import '../../agents/index.js';
import type { Frame } from '../../src/agent/snapshot.js';
import { InvalidOptionError, UnknownIdError } from '../../src/errors.js';
import { openShard } from '../../workers/run-shard.js';
import { ShardedRun } from '../../workers/sharded-run.js';
import { type ShardedRunDescription, planShards, resolveDescription } from '../../workers/shard-plan.js';
import { WorkerError, faultOf } from '../../workers/worker-error.js';
import { liveTensors, useEngine } from '../helpers/engine.js';
import { thrown } from '../helpers/thrown.js';

useEngine();

const PERIODIC: ShardedRunDescription = {
  environment: { id: 'Periodic-v0' },
  agent: { kind: 'predictive', layers: [8] },
  streams: 4,
  workers: 2,
  steps: 500,
  seed: 1,
};

const FAILING = fileURLToPath(new URL('./helpers/failing-environment.ts', import.meta.url));

/** Worker threads of this process: node lists each as a MessagePort it keeps open. */
const openPorts = (): number => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;

describe('ShardedRun', () => {
  describe('#done', () => {
    it('learns, gives the same run twice, and each worker equals its shard run in-process', async () => {
      const ports = openPorts();
      const [a, b] = [new ShardedRun(PERIODIC).start(), new ShardedRun(PERIODIC).start()];
      const [first, second] = await Promise.all([a.done, b.done]);
      expect(first.streamSteps).toBe(2000);
      // Each worker's steady rate covers exactly its later half (500 steps: from step 250).
      for (const w of first.workers) {
        expect(w.steady.fromStep).toBe(250);
        expect(w.steady.seconds).toBeGreaterThan(0);
        expect(w.steady.seconds).toBeLessThan(w.seconds);
      }
      expect(first.steadyStepsPerSecond).toBeCloseTo(
        first.workers.reduce((a, w) => a + w.steady.stepsPerSecond, 0),
        6,
      );
      expect(first.workers.map((w) => [w.first, w.streams, w.agentSeed])).toEqual([
        [0, 2, 1],
        [2, 2, 2],
      ]);
      for (const stream of first.workers.flatMap((w) => w.perStream)) {
        expect(stream.seed).toBe(1 + stream.stream);
        expect(stream.mean['next/accuracy']!).toBeGreaterThan(stream.early['next/accuracy']! + 0.15);
      }
      const runOf = (r: typeof first) => r.workers.map((w) => ({ metrics: w.metrics, perStream: w.perStream }));
      expect(runOf(second)).toEqual(runOf(first));
      expect(second.metrics).toEqual(first.metrics);

      const description = resolveDescription(PERIODIC);
      const tensors = liveTensors();
      for (const shard of planShards(description)) {
        const open = await openShard(description, shard);
        const here = open.run();
        open.dispose();
        expect({ metrics: here.metrics, perStream: here.perStream }).toEqual(runOf(first)[shard.worker]);
      }
      expect(liveTensors()).toBe(tensors);
      expect([a.liveWorkers, b.liveWorkers, openPorts()]).toEqual([0, 0, ports]);
    });

    it('rejects with a WorkerError naming the worker that threw, with its code, after the others stopped', async () => {
      const failing = new ShardedRun({
        environment: { module: FAILING, options: { failSeed: 3, failAt: 40 } },
        agent: { kind: 'predictive', layers: [8] },
        streams: 4,
        workers: 2,
        steps: 1_000_000,
      }).start();
      const error = (await failing.done.catch((e: unknown) => e)) as WorkerError;
      expect(error).toBeInstanceOf(WorkerError);
      expect([error.code, error.worker, error.causeName]).toEqual(['ERR_ENVIRONMENT', 1, 'EnvironmentError']);
      expect(error.message).toBe('ShardedRun: worker 1 (streams 2–3) failed: boom at step 40 of the copy seeded 3');
      expect(error.stack).toContain('failing-environment.ts');
      expect(failing.liveWorkers).toBe(0);
      // What is no tprop error has ERR_WORKER.
      const other = new WorkerError(0, 'stream 0', faultOf(new RangeError('out of range')));
      expect([other.code, other.causeName, other.message]).toEqual([
        'ERR_WORKER',
        'RangeError',
        'ShardedRun: worker 0 (stream 0) failed: out of range',
      ]);
    });
  });

  describe('#pause, #step, #stop and #dispose', () => {
    it('pause() holds, step() takes one step with its frame, stop() ends with what was learned', async () => {
      const ports = openPorts();
      const endless = new ShardedRun({ ...PERIODIC, workers: 1, steps: undefined, progressMs: 10, frameMs: 0 });
      const frames: Frame[] = [];
      endless.frames.subscribe((frame) => frames.push(frame));
      endless.start();
      const sample = await firstValueFrom(endless.progress);
      expect(sample).toMatchObject({ worker: 0, steps: expect.any(Number), stepsPerSecond: expect.any(Number) });
      expect(endless.topology).toMatchObject({ agent: 'predictive', environment: 'Periodic-v0' });
      endless.pause();
      // Frames already posted still arrive; the held run posts none after them.
      let seen = -1;
      while (seen !== frames.length) {
        seen = frames.length;
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      expect(endless.state()).toMatchObject({ paused: true, stepsPerSecond: 0 });
      const last = frames.at(-1)!.step;
      endless.step();
      const next = await firstValueFrom(endless.frames);
      expect(next.step).toBe(last + 1);
      endless.stop();
      const result = await endless.done;
      expect(result.interrupted).toBe(true);
      expect([result.workers[0]!.steps, result.streamSteps]).toEqual([last + 1, 4 * (last + 1)]);
      expect(endless.state().streamSteps).toBe(result.streamSteps);

      const disposed = new ShardedRun(PERIODIC).start();
      await disposed.dispose();
      await expect(disposed.done).rejects.toMatchObject({ code: 'ERR_DISPOSED' });
      expect([endless.liveWorkers, disposed.liveWorkers, openPorts()]).toEqual([0, 0, ports]);
    });
  });

  describe('#constructor', () => {
    it('rejects a bad description before any worker starts', () => {
      const cases: [Partial<ShardedRunDescription>, RegExp][] = [
        [{ workers: 5 }, /expected option "workers" to be an integer >= 1 <= 4, but got 5/],
        [{ streams: 0 }, /expected option "streams" to be an integer >= 1, but got 0/],
        [{ steps: 1.5 }, /expected option "steps" to be an integer >= 1, but got 1.5/],
        [{ agent: { kind: 'predictive', streams: 2 } }, /expected no "streams" in the agent config/],
        [{ environment: { id: 'Periodic-v0', module: 'x.ts' } }, /to have one of "id" and "module"/],
        [{ environment: { id: 'Periodic-v0', options: { lenght: 3 } } }, /unknown option "lenght"/],
        [{ environment: { id: 'CartPole-v1' } }, /expected a passive environment/],
      ];
      for (const [change, message] of cases) {
        const error = thrown(() => new ShardedRun({ ...PERIODIC, ...change }));
        expect(error).toBeInstanceOf(InvalidOptionError);
        expect((error as Error).message).toMatch(message);
      }
      expect(thrown(() => new ShardedRun({ ...PERIODIC, environment: { id: 'Nope-v0' } }))).toBeInstanceOf(
        UnknownIdError,
      );
      expect(thrown(() => new ShardedRun({ ...PERIODIC, agent: { kind: 'nope' } }))).toBeInstanceOf(UnknownIdError);
    });
  });
});
