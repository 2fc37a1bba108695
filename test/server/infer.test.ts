// `infer` requests: side modalities inferred from the run's last observation, some clamped,
// answered with the request's id; the run unchanged. Needs the token; bad names, values and
// counts, and runs that cannot infer, get error replies, and the connection goes on.

import { describe, expect, it } from 'vitest';
import { PredictiveAgent } from '../../agents/predictive-agent.js';
import '../../environments/index.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { LiveRun } from '../../src/stream/live-run.js';
import type { InferenceMessage, ServerMessage } from '../../server/protocol.js';
import { useEngine } from '../helpers/engine.js';
import { FakeAgent } from '../stream/helpers/fake-agent.js';
import { expectErrors, isError, viewersOnRuns } from './helpers/viewer-on-run.js';

useEngine();

const TOKEN = 'infer-token-0123';
const isInference = (m: ServerMessage): m is InferenceMessage => m.type === 'inference';

const { viewerOf, later } = viewersOnRuns();

describe('infer requests', () => {
  it('answer with the missing channel inferred from the last observation, the run unchanged', async () => {
    const env = makeEnvironment('ChannelDropout-v0');
    const agent = new PredictiveAgent(env.observationSpace, { seed: 1, top: { trainAutoEncoder: true } });
    later(() => agent.dispose());
    const run = new LiveRun(agent, env, { seed: 1, steps: 400 });
    const client = await viewerOf(run, TOKEN);
    client.send({ type: 'infer', id: 'early', infer: ['partner'], token: TOKEN });
    expect(await client.waitFor(isError)).toMatchObject({ id: 'early', code: 'ERR_INVALID_OPTION' });
    run.start();
    await run.done;
    const before = agent.getState();
    client.send({ type: 'infer', id: 3, infer: ['partner'], token: TOKEN });
    const map = await client.waitFor(isInference);
    expect(map).toMatchObject({ id: 3, step: 400, method: 'map' });
    expect(map.samples).toHaveLength(1);
    expect(map.samples[0]!.partner).toHaveLength(1);
    expect(Number.isFinite(map.samples[0]!.partner![0])).toBe(true);
    client.send({ type: 'infer', id: 4, infer: ['partner'], method: 'mcmc', samples: 4, seed: 2, token: TOKEN });
    const chain = await client.waitFor((m): m is InferenceMessage => isInference(m) && m.id === 4);
    expect(chain.samples).toHaveLength(4);
    expect(agent.getState()).toEqual(before);
  });

  it('refuse a missing token, bad names or values and a run that cannot infer; the connection goes on', async () => {
    const env = makeEnvironment('ChannelDropout-v0');
    const agent = new PredictiveAgent(env.observationSpace, { seed: 1 });
    later(() => agent.dispose());
    const client = await viewerOf(new LiveRun(agent, env), TOKEN);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ infer: ['partner'] }, 'ERR_UNAUTHORIZED', "infer.token: expected the viewer's token, but got no token"],
      [{ infer: ['label'], token: TOKEN }, 'ERR_PROTOCOL', 'infer.infer[0]: expected one of "partner"'],
      [{ infer: [], token: TOKEN }, 'ERR_PROTOCOL', 'infer.infer: expected the names of side modalities'],
      [
        { infer: ['partner'], clamp: { partner: [1] }, token: TOKEN },
        'ERR_PROTOCOL',
        'expected side modalities not inferred',
      ],
      [
        { infer: ['partner'], samples: 21, token: TOKEN },
        'ERR_PROTOCOL',
        'infer.samples: expected an integer in [1, 20]',
      ],
      [{ infer: ['partner'], method: 'gibbs', token: TOKEN }, 'ERR_PROTOCOL', 'infer.method: expected "map" or "mcmc"'],
    ];
    await expectErrors(client, 'infer', cases, (actual, expected, id) => expect(actual, id).toBe(expected));
    const plain = await viewerOf(new LiveRun(new FakeAgent(), makeEnvironment('Periodic-v0')));
    plain.send({ type: 'infer', id: 1, infer: [] });
    expect(await plain.waitFor(isError)).toMatchObject({ code: 'ERR_PROTOCOL' });
    plain.send({ type: 'history', id: 2 });
    await plain.waitFor((m) => m.type === 'history');
  });
});
