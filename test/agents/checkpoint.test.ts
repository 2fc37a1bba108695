import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { PredictiveAgent } from '../../agents/predictive-agent.js';
import { SupervisedAgent } from '../../agents/supervised-agent.js';
import { loadAgent, saveAgent } from '../../src/checkpoint/agent-checkpoint.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { environmentTransitions } from '../../src/stream/environment-transitions.js';
import type { Transition } from '../../src/agent/agent.js';
import { useEngine } from '../helpers/engine.js';

useEngine();
const dir = mkdtempSync(join(tmpdir(), 'tprop-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = { layers: [16, 12], window: 8, updateEvery: 2, seed: 5, noise: 0.05, top: { trainAutoEncoder: true } };
const stream: Transition[] = [...environmentTransitions(makeEnvironment('EmbeddedReber-v0'), { steps: 900, seed: 2 })];
const predictionsOf = (a: PredictiveAgent): Float32Array[] => a.predict().map((p) => p.values);

describe('saveAgent / loadAgent', () => {
  it.each(['tfjs', 'fused'] as const)(
    'resumes a run saved mid-stream exactly as the uninterrupted run goes on (%s engine)',
    (engine) => {
      const space = makeEnvironment('EmbeddedReber-v0').observationSpace;
      const uninterrupted = new PredictiveAgent(space, { ...options, engine });
      const first = new PredictiveAgent(space, { ...options, engine });
      const path = join(dir, `mid-${engine}.ckpt`);
      stream.slice(0, 437).forEach((t) => {
        uninterrupted.observe(t);
        first.observe(t);
      });
      saveAgent(first, path);
      first.dispose();
      const resumed = new PredictiveAgent(space, { ...options, engine });
      loadAgent(resumed, path);
      for (const t of stream.slice(437)) {
        uninterrupted.observe(t);
        resumed.observe(t);
        const a = predictionsOf(uninterrupted);
        const b = predictionsOf(resumed);
        a.forEach((p, k) => p.forEach((v, i) => expect(Math.abs(v - b[k]![i]!)).toBeLessThanOrEqual(1e-6)));
      }
      expect(resumed.metrics()).toEqual(uninterrupted.metrics());
      uninterrupted.dispose();
      resumed.dispose();
    },
  );

  it('rejects a truncated or corrupted file with its code, leaving the agent in memory untouched', () => {
    const space = makeEnvironment('EmbeddedReber-v0').observationSpace;
    const agent = new PredictiveAgent(space, options);
    stream.slice(0, 100).forEach((t) => agent.observe(t));
    const path = join(dir, 'whole.ckpt');
    saveAgent(agent, path);
    const bytes = readFileSync(path);
    const victim = new PredictiveAgent(space, options);
    stream.slice(0, 50).forEach((t) => victim.observe(t));
    const before = JSON.stringify(victim.getState(), (_, v) =>
      ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v,
    );
    const cases: [string, Buffer, string][] = [
      ['truncated in the payload', bytes.subarray(0, bytes.length - 100), 'ERR_CHECKPOINT_CORRUPT'],
      ['truncated in the header', bytes.subarray(0, 20), 'ERR_CHECKPOINT_CORRUPT'],
      [
        'a flipped payload byte',
        Buffer.from(bytes).fill(7, bytes.length - 10, bytes.length - 9),
        'ERR_CHECKPOINT_CORRUPT',
      ],
    ];
    for (const [what, content, code] of cases) {
      const bad = join(dir, `bad-${what.replace(/ /g, '-')}.ckpt`);
      writeFileSync(bad, content);
      expect(() => loadAgent(victim, bad), what).toThrow(expect.objectContaining({ code }));
    }
    // A checkpoint of an agent with other options does not fit either.
    const other = new PredictiveAgent(space, { ...options, layers: [8] });
    expect(() => loadAgent(other, path)).toThrow(expect.objectContaining({ code: 'ERR_CHECKPOINT_MISMATCH' }));
    const supervised = new SupervisedAgent(makeEnvironment('TemporalOrder-v0').observationSpace, options);
    expect(() => loadAgent(supervised, path)).toThrow(expect.objectContaining({ code: 'ERR_CHECKPOINT_MISMATCH' }));
    expect(
      JSON.stringify(victim.getState(), (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v)),
    ).toBe(before);
    [agent, victim, other, supervised].forEach((a) => a.dispose());
  });
});
