// Specification of ChannelDropout-v0: two channels of a circling point, the second missing for
// stretches whose lengths average dropLength, its value kept in info.partner.

import { describe, expect, it } from 'vitest';
import { CHANNEL_DROPOUT_DEFAULTS, ChannelDropout } from '../../environments/channel-dropout.js';
import { checkEnvironment } from '../../src/environment/check-environment.js';
import { InvalidOptionError } from '../../src/errors.js';
import { thrown } from '../helpers/thrown.js';
import { rollout } from './rollout.js';

describe('ChannelDropout', () => {
  it('has the documented defaults and a dict of two boxes, the partner optional', () => {
    expect(CHANNEL_DROPOUT_DEFAULTS).toEqual({
      period: 24,
      noise: 0.03,
      dropProbability: 0.01,
      dropLength: 40,
      length: 2000,
    });
    const env = new ChannelDropout();
    expect(env.observationSpace.optional).toEqual(['partner']);
    expect(() => checkEnvironment(() => new ChannelDropout({ length: 300 }))).not.toThrow();
    expect(thrown(() => new ChannelDropout({ dropProbability: 2 }))).toBeInstanceOf(InvalidOptionError);
  });

  it('drops the partner for stretches of about dropLength steps, keeping its value in info', () => {
    const { observations, infos } = rollout(new ChannelDropout({ length: 20_000 }), 3);
    let stretches = 0;
    let dropped = 0;
    observations.forEach((o, t) => {
      const obs = o as Record<string, Float32Array>;
      expect(infos[t]!.dropped).toBe(obs.partner === undefined);
      if (obs.partner) expect(obs.partner[0]).toBe(infos[t]!.partner);
      if (obs.partner === undefined) {
        dropped++;
        if (t === 0 || !infos[t - 1]!.dropped) stretches++;
      }
    });
    // About 1 step in 100 starts a stretch of 40 on average: some 0.3 of the steps are dropped.
    expect(dropped / stretches).toBeGreaterThan(30);
    expect(dropped / stretches).toBeLessThan(55);
    expect(dropped / observations.length).toBeGreaterThan(0.15);
    expect(dropped / observations.length).toBeLessThan(0.45);
    // The two channels trace one circle: a² + b² is the squared radius, in [0.3², 1] but for the noise.
    for (let t = 0; t < 500; t++) {
      const a = (observations[t] as Record<string, Float32Array>).observation![0]!;
      const r2 = a * a + (infos[t]!.partner as number) ** 2;
      expect(r2).toBeGreaterThan(0.05);
      expect(r2).toBeLessThan(1.2);
    }
  });
});
