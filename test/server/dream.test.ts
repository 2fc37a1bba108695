// `dream` requests: a continuation dreamed from the run's current state, answered with the
// request's id; the run goes on unchanged. Needs the token like a control; malformed requests,
// a run whose agent cannot dream, or one with nothing to go on from get an error reply, and the
// server and the connection go on.

import { describe, expect, it } from 'vitest';
import { PredictiveAgent } from '../../agents/predictive-agent.js';
import '../../environments/index.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { LiveRun } from '../../src/stream/live-run.js';
import type { DreamMessage, ServerMessage } from '../../server/protocol.js';
import { useEngine } from '../helpers/engine.js';
import { FakeAgent } from '../stream/helpers/fake-agent.js';
import { expectErrors, isError, viewersOnRuns } from './helpers/viewer-on-run.js';

useEngine();

const TOKEN = 'dream-token-0123';
const isDream = (m: ServerMessage): m is DreamMessage => m.type === 'dream';

const { viewerOf, later } = viewersOnRuns();

describe('dream requests', () => {
  it('answer with symbols dreamed from the current step, the run unchanged', async () => {
    // 300 steps end in the middle of an episode of 120: there is a state to go on from.
    const env = makeEnvironment('Periodic-v0');
    const agent = new PredictiveAgent(env.observationSpace, { seed: 1 });
    later(() => agent.dispose());
    const run = new LiveRun(agent, env, { seed: 1, steps: 300 });
    const client = await viewerOf(run, TOKEN);
    // Before any step there is nothing to go on from: an error, and the connection stays.
    client.send({ type: 'dream', id: 'early', steps: 5, token: TOKEN });
    expect(await client.waitFor(isError)).toMatchObject({ id: 'early', code: 'ERR_INVALID_OPTION' });
    run.start();
    await run.done;
    const before = agent.getState();
    client.send({ type: 'dream', id: 7, steps: 30, temperature: 0.5, seed: 2, token: TOKEN });
    const reply = await client.waitFor(isDream);
    expect(reply).toMatchObject({ id: 7, step: 300, temperature: 0.5 });
    expect(reply.values).toHaveLength(30);
    const symbols = (env.observationSpace as { n: number }).n;
    for (const v of reply.values) expect(v).toSatisfy((s: unknown) => Number.isInteger(s) && (s as number) < symbols);
    expect(agent.getState()).toEqual(before);
    client.send({ type: 'dream', id: 8, steps: 30, temperature: 0.5, seed: 2, token: TOKEN });
    const again = await client.waitFor((m): m is DreamMessage => isDream(m) && m.id === 8);
    expect(again.values).toEqual(reply.values);
  });

  it('refuse a missing token, bad fields and a run whose agent cannot dream, and the connection goes on', async () => {
    const env = makeEnvironment('Reber-v0');
    const agent = new PredictiveAgent(env.observationSpace, { seed: 1 });
    later(() => agent.dispose());
    const client = await viewerOf(new LiveRun(agent, env), TOKEN);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ steps: 5 }, 'ERR_UNAUTHORIZED', "dream.token: expected the viewer's token, but got no token"],
      [{ steps: 0, token: TOKEN }, 'ERR_PROTOCOL', 'dream.steps: expected an integer in [1, 500], but got 0'],
      [{ steps: 501, token: TOKEN }, 'ERR_PROTOCOL', 'dream.steps: expected an integer in [1, 500], but got 501'],
      [{ temperature: -1, token: TOKEN }, 'ERR_PROTOCOL', 'dream.temperature: expected a number in [0, 10]'],
      [{ seed: 0.5, token: TOKEN }, 'ERR_PROTOCOL', 'dream.seed: expected a safe integer, but got 0.5'],
      [{ prompt: [0], token: TOKEN }, 'ERR_PROTOCOL', 'unknown field "prompt"'],
    ];
    await expectErrors(client, 'dream', cases, (actual, expected, id) => expect(actual, id).toBe(expected));
    const plain = await viewerOf(new LiveRun(new FakeAgent(), makeEnvironment('Periodic-v0')));
    plain.send({ type: 'dream', id: 1 });
    expect(await plain.waitFor(isError)).toMatchObject({
      code: 'ERR_PROTOCOL',
      message: expect.stringContaining('dreams'),
    });
    plain.send({ type: 'history', id: 2 });
    await plain.waitFor((m) => m.type === 'history');
  });
});
