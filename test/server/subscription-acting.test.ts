// The projection of an acting agent's frame: `acting` travels with the `metrics` part, holding the
// documented fields only (an agent's record may hold checkpoint state, which is not viewer data).

import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/agent/snapshot.js';
import { Subscription } from '../../server/subscription.js';

const ACTING = {
  probabilities: [0.25, 0.75],
  action: 1,
  step: 7,
  reward: 0.5,
  episodeReturn: 2,
  lastEpisodeReturn: 9,
  commanded: 1.5,
  achieved: null,
};
const FRAME = {
  step: 7,
  episode: 0,
  layers: [],
  modalities: [],
  losses: {},
  metrics: { 'acting/episodes': 0 },
  stepsPerSecond: 10,
  acting: { ...ACTING, stats: { reward: { ring: [0.5] } } },
} as unknown as Frame;

describe('Subscription', () => {
  describe('#project', () => {
    it('carries the documented acting fields with the metrics part, and nothing else', () => {
      const message = new Subscription(10).project(FRAME, 0);
      expect(message.acting).toEqual(ACTING);
    });

    it('leaves acting out without the metrics part, and for a frame without it', () => {
      const subscription = new Subscription(10);
      subscription.update({ type: 'subscribe', parts: ['losses'] });
      expect(subscription.project(FRAME, 0)).not.toHaveProperty('acting');
      const { acting: _, ...plain } = FRAME;
      expect(new Subscription(10).project(plain, 0)).not.toHaveProperty('acting');
    });
  });
});
