// A user's environment module in TypeScript, outside any tprop folder: `tprop run environment.ts`
// must load it with tsx and hand it the CLI's own copy of `tprop` (checkEnvironment tells
// `instanceof StateError`). A counter modulo `size`, one episode of `length` steps.

import { StateError, discrete } from 'tprop';
import type { DiscreteSpace, Environment, ResetResult, StepResult } from 'tprop';

export interface CounterOptions {
  readonly size?: number;
  readonly length?: number;
}

class Counter implements Environment<number> {
  readonly observationSpace: DiscreteSpace;
  readonly actionSpace = null;
  private t = -1;

  constructor(
    private readonly size: number,
    private readonly length: number,
  ) {
    this.observationSpace = discrete(size);
  }

  reset(): ResetResult<number> {
    this.t = 0;
    return { observation: 0, info: {} };
  }

  step(): StepResult<number> {
    if (this.t < 0) throw new StateError('ERR_RESET_NEEDED', 'Counter.step: expected reset() first');
    if (this.t >= this.length) {
      throw new StateError('ERR_EPISODE_ENDED', 'Counter.step: expected reset() after the end');
    }
    this.t++;
    const terminated = this.t === this.length;
    return { observation: this.t % this.size, reward: 0, terminated, truncated: false, info: {} };
  }
}

export default function createCounter({ size = 4, length = 40 }: CounterOptions = {}): Environment<number> {
  return new Counter(size, length);
}
