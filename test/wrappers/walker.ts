// A small active environment for the wrapper specs (the built-ins are all passive): a seeded
// random walk steered by discrete actions, with rewards and an episode that terminates.

import type { Environment, ResetOptions, ResetResult, StepResult } from '../../src/environment/environment.js';
import { InvalidOptionError, StateError } from '../../src/errors.js';
import { Rng } from '../../src/random.js';
import { assertInSpace, box, discrete } from '../../src/environment/space.js';
import type { SpaceValue } from '../../src/environment/space.js';

/**
 * Observation box(2) `[position, t]`; action discrete(3) moves by `action - 1` plus N(0, 0.1)
 * noise; reward `-|position|`; terminated after `length` steps. `info.start` on reset, `info.t`
 * on steps. `closed` counts calls to close().
 */
export class Walker implements Environment {
  readonly observationSpace = box(2);
  readonly actionSpace = discrete(3);
  closed = 0;
  private rng = new Rng(0);
  private position = 0;
  private t = -1;

  constructor(readonly length = 6) {}

  reset(options?: ResetOptions): ResetResult {
    if (options?.seed !== undefined) this.rng = new Rng(options.seed);
    this.position = this.rng.normal();
    this.t = 0;
    return { observation: Float32Array.of(this.position, 0), info: { start: this.position } };
  }

  step(action?: SpaceValue): StepResult {
    if (action === undefined) throw new InvalidOptionError('Walker.step: expected an action, but got undefined');
    assertInSpace(this.actionSpace, action, 'Walker.step');
    if (this.t < 0) throw new StateError('ERR_RESET_NEEDED', 'Walker.step: expected reset() first, but got step()');
    if (this.t >= this.length)
      throw new StateError('ERR_EPISODE_ENDED', 'Walker.step: expected reset(), but got step()');
    this.t += 1;
    this.position += (action as number) - 1 + 0.1 * this.rng.normal();
    return {
      observation: Float32Array.of(this.position, this.t),
      reward: -Math.abs(this.position),
      terminated: this.t === this.length,
      truncated: false,
      info: { t: this.t },
    };
  }

  close(): void {
    this.closed += 1;
  }
}
