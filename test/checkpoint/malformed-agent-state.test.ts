// Checkpoints whose header and SHA-256 are intact but whose payload is not an agent's state:
// each malformed part is refused with CheckpointError (ERR_CHECKPOINT_CORRUPT, or ERR_NON_FINITE
// for NaN and infinities) naming that part, before anything changes in the agent in memory.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { PredictiveAgent } from '../../agents/predictive-agent.js';
import type { AgentState } from '../../src/agent/agent.js';
import { AGENT_CHECKPOINT_KIND, loadAgent, saveAgent } from '../../src/checkpoint/agent-checkpoint.js';
import { readCheckpoint, writeCheckpoint } from '../../src/checkpoint/checkpoint-file.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { CheckpointError } from '../../src/errors.js';
import { environmentTransitions } from '../../src/stream/environment-transitions.js';
import { useEngine } from '../helpers/engine.js';
import { thrown } from '../helpers/thrown.js';

useEngine();
const dir = mkdtempSync(join(tmpdir(), 'tprop-malformed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = { layers: [8, 6], window: 4, updateEvery: 2, seed: 3 };
const space = makeEnvironment('Reber-v0').observationSpace;
const transitions = [...environmentTransitions(makeEnvironment('Reber-v0'), { steps: 40, seed: 1 })];

// biome-ignore lint/suspicious/noExplicitAny: the payloads are edited freely, to break them.
type Any = Record<string, any>;

/** A saved agent's state as decoded from its file: every mutation below edits a fresh copy. */
function savedState(): Any {
  const agent = new PredictiveAgent(space, options);
  for (const t of transitions.slice(0, 30)) agent.observe(t);
  const path = join(dir, 'good.ckpt');
  saveAgent(agent, path);
  agent.dispose();
  return readCheckpoint(path, { kind: AGENT_CHECKPOINT_KIND }) as Any;
}

const bytesOf = (agent: PredictiveAgent): string =>
  JSON.stringify(agent.getState(), (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v));

// [what, how the payload is broken, the code, the message]
const CASES: ReadonlyArray<readonly [string, (s: Any) => unknown, string, RegExp]> = [
  ['kind of the wrong type', (s) => ({ ...s, kind: 42 }), 'ERR_CHECKPOINT_CORRUPT', /expected kind to be a string/],
  ['options a string', (s) => ({ ...s, options: 'layers' }), 'ERR_CHECKPOINT_CORRUPT', /expected options to be an/],
  ['data an array', (s) => ({ ...s, data: [1, 2] }), 'ERR_CHECKPOINT_CORRUPT', /expected data to be an object/],
  ['the whole state null', () => null, 'ERR_CHECKPOINT_CORRUPT', /expected the state to be an object/],
  [
    'the stack missing',
    (s) => ({ ...s, data: { extra: s.data.extra } }),
    'ERR_CHECKPOINT_CORRUPT',
    /expected data to be an object with \[stack, extra\]/,
  ],
  [
    'one parameter too few',
    (s) => {
      s.data.stack.parameters.pop();
      return s;
    },
    'ERR_CHECKPOINT_CORRUPT',
    /RecurrentStack\.setState: expected parameters to be an array of \d+/,
  ],
  [
    'a weight of the wrong size',
    (s) => {
      s.data.stack.parameters[2] = new Float32Array(5);
      return s;
    },
    'ERR_CHECKPOINT_CORRUPT',
    /expected parameters\[2\] to be a Float32Array of \d+, but got Float32Array\(5\)/,
  ],
  [
    'a string where a Float32Array belongs',
    (s) => {
      s.data.stack.parameters[0] = 'abc';
      return s;
    },
    'ERR_CHECKPOINT_CORRUPT',
    /expected parameters\[0\] to be a Float32Array of \d+, but got "abc"/,
  ],
  [
    'nested garbage in the window',
    (s) => {
      s.data.stack.window[1].side = 5;
      return s;
    },
    'ERR_CHECKPOINT_CORRUPT',
    /expected window\[1\]\.side to be an object/,
  ],
  [
    'a negative step count',
    (s) => {
      s.data.stack.steps = -3;
      return s;
    },
    'ERR_CHECKPOINT_CORRUPT',
    /expected steps to be an integer >= 0, but got -3/,
  ],
  [
    'a generator state of two words',
    (s) => {
      s.data.stack.rng.s = [1, 2];
      return s;
    },
    'ERR_CHECKPOINT_CORRUPT',
    /expected rng\.s to be an array of 4/,
  ],
  [
    'optimiser steps a string',
    (s) => {
      s.data.stack.optimizers[1].steps = 'x';
      return s;
    },
    'ERR_CHECKPOINT_CORRUPT',
    /expected optimizers\[1\]\.steps to be an integer >= 0/,
  ],
  [
    'an optimiser slot list that is no array',
    (s) => {
      s.data.stack.optimizers[0].slots = { 0: 1 };
      return s;
    },
    'ERR_CHECKPOINT_CORRUPT',
    /expected optimizers\[0\]\.slots to be an array/,
  ],
  [
    'a rolling metric ring of the wrong length',
    (s) => {
      s.data.extra.scores[0][1].ring = [1, 2, 3];
      return s;
    },
    'ERR_CHECKPOINT_CORRUPT',
    /expected scores\[0\]\.recent\.ring to be an array of 1000/,
  ],
  [
    'scores of garbage',
    (s) => {
      s.data.extra.scores = [[7, null, 'x']];
      return s;
    },
    'ERR_CHECKPOINT_CORRUPT',
    /expected scores\[0\]\[0\] to be a string/,
  ],
  [
    'a negative episode count',
    (s) => {
      s.data.extra.episode = -1;
      return s;
    },
    'ERR_CHECKPOINT_CORRUPT',
    /expected episode to be an integer >= 0, but got -1/,
  ],
  [
    'pendingStart of the wrong length',
    (s) => {
      s.data.stack.pendingStart = [true, false];
      return s;
    },
    'ERR_CHECKPOINT_CORRUPT',
    /expected pendingStart to be an array of 1/,
  ],
  [
    'legalNext garbage in the last info',
    (s) => {
      s.data.extra.previousInfo = [{ legalNext: 3 }];
      return s;
    },
    'ERR_CHECKPOINT_CORRUPT',
    /expected previousInfo\[0\]\.legalNext to be an array of integers/,
  ],
  // Well-formed, but not finite: such weights would run silently and poison every update.
  [
    'a NaN weight',
    (s) => {
      s.data.stack.parameters[1][3] = Number.NaN;
      return s;
    },
    'ERR_NON_FINITE',
    /expected parameters\[1\] to hold finite values, but got NaN at index 3/,
  ],
  [
    'an infinite optimiser slot',
    (s) => {
      s.data.stack.optimizers[0].slots[0][1][2] = Number.POSITIVE_INFINITY;
      return s;
    },
    'ERR_NON_FINITE',
    /expected optimizers\[0\]\.slots\[0\]\[1\] to hold finite values, but got Infinity at index 2/,
  ],
  [
    'an infinite code in the window',
    (s) => {
      s.data.stack.window[0].codes[0][0] = Number.NEGATIVE_INFINITY;
      return s;
    },
    'ERR_NON_FINITE',
    /expected window\[0\]\.codes\[0\] to hold finite values/,
  ],
  [
    'a NaN running sum',
    (s) => {
      s.data.extra.scores[0][2].sum = Number.NaN;
      return s;
    },
    'ERR_NON_FINITE',
    /expected scores\[0\]\.total\.sum to be finite/,
  ],
];

describe('loadAgent of a well-sealed but malformed payload', () => {
  it.each(CASES)('refuses %s, leaving the agent as it was', (what, mutate, code, message) => {
    const path = join(dir, `${what.replace(/\W+/g, '-')}.ckpt`);
    writeCheckpoint(path, mutate(savedState()) as AgentState, { kind: AGENT_CHECKPOINT_KIND });
    const victim = new PredictiveAgent(space, options);
    for (const t of transitions.slice(0, 12)) victim.observe(t);
    const before = bytesOf(victim);
    const error = thrown(() => loadAgent(victim, path));
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).code, (error as Error).message).toBe(code);
    expect((error as Error).message).toMatch(message);
    expect(bytesOf(victim)).toBe(before);
    // And it still works.
    for (const t of transitions.slice(12, 20)) victim.observe(t);
    victim.dispose();
  });

  it('still loads the state unchanged', () => {
    const path = join(dir, 'unchanged.ckpt');
    const state = savedState();
    writeCheckpoint(path, state, { kind: AGENT_CHECKPOINT_KIND });
    const agent = new PredictiveAgent(space, options);
    loadAgent(agent, path);
    expect(agent.getState().data).toEqual(state.data);
    agent.dispose();
  });
});
