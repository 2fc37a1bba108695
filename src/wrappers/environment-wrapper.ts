// The base of every wrapper, after Gymnasium's Wrapper: it holds an environment, forwards the
// whole contract to it, and lets a subclass change one thing by overriding one hook.

import type {
  Environment,
  EnvironmentSpec,
  ResetOptions,
  ResetResult,
  StepResult,
} from '../environment/environment.js';
import { InvalidOptionError, describeValue } from '../errors.js';
import type { Space, SpaceValue } from '../environment/space.js';

function isEnvironment(value: unknown): value is Environment {
  const env = value as Partial<Environment> | null;
  return typeof env === 'object' && env !== null && typeof env.reset === 'function' && typeof env.step === 'function';
}

/**
 * Forwards `reset`, `step`, `close`, the spaces and `spec` to `inner`. Hooks, from the narrowest:
 * - `observation(value)`: maps every observation (reset and step);
 * - `action(value)`: maps the action before it reaches `inner`;
 * - `onReset(result)` / `onStep(result)`: see or replace the whole result.
 * A wrapper that changes what observations look like also overrides `observationSpace`.
 */
export abstract class EnvironmentWrapper implements Environment {
  readonly inner: Environment;
  /** Set on the wrapper itself, it hides the inner spec; unset, the inner spec shows through. */
  private ownSpec: EnvironmentSpec | undefined;

  constructor(inner: Environment) {
    if (!isEnvironment(inner)) {
      throw new InvalidOptionError(
        `${new.target.name}: expected an environment with reset() and step(), but got ${describeValue(inner)}`,
      );
    }
    this.inner = inner;
  }

  get observationSpace(): Space {
    return this.inner.observationSpace;
  }

  get actionSpace(): Space | null {
    return this.inner.actionSpace;
  }

  get spec(): EnvironmentSpec | undefined {
    return this.ownSpec ?? this.inner.spec;
  }

  set spec(spec: EnvironmentSpec | undefined) {
    this.ownSpec = spec;
  }

  /** The innermost environment, under every wrapper. */
  get unwrapped(): Environment {
    let env: Environment = this.inner;
    while (env instanceof EnvironmentWrapper) env = env.inner;
    return env;
  }

  reset(options?: ResetOptions): ResetResult {
    return this.onReset(this.inner.reset(options));
  }

  step(action?: SpaceValue): StepResult {
    return this.onStep(this.inner.step(action === undefined ? undefined : this.action(action)));
  }

  close(): void {
    this.inner.close?.();
  }

  /** Maps one observation; the identity unless overridden. */
  protected observation(value: SpaceValue): SpaceValue {
    return value;
  }

  /** Maps one action on its way in; the identity unless overridden. Not called without an action. */
  protected action(value: SpaceValue): SpaceValue {
    return value;
  }

  protected onReset(result: ResetResult): ResetResult {
    return { observation: this.observation(result.observation), info: result.info };
  }

  protected onStep(result: StepResult): StepResult {
    return { ...result, observation: this.observation(result.observation) };
  }
}
