// The base of every wrapper, after Gymnasium's Wrapper: it holds an environment, forwards the
// whole contract to it, and lets a subclass change one thing by overriding one hook.

import {
  type Environment,
  type EnvironmentSpec,
  type EnvironmentState,
  type ResetOptions,
  type ResetResult,
  type StepResult,
  canGiveState,
  wholeState,
} from '../environment/environment.js';
import { CheckpointError, InvalidOptionError, describeValue } from '../errors.js';
import { corruptState, stateRecord } from '../checkpoint/state-checks.js';
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

  /**
   * The inner environment's whole state and this wrapper's own (`ownState`), or undefined when
   * either cannot be given (an inner environment without `getState`, a wrapper that cannot).
   */
  getState(): EnvironmentState | undefined {
    const inner = wholeState(this.inner);
    if (inner === undefined) return undefined;
    const own = this.ownState();
    if (own === undefined) return undefined;
    return { wrapper: this.constructor.name, inner, own };
  }

  /**
   * Restores a state from `getState`: this wrapper's part is checked first, then the inner
   * environment restores its own (checked whole by it), and only then is this wrapper's written,
   * so a state it cannot take (CheckpointError) changes nothing.
   */
  setState(state: EnvironmentState): void {
    const where = `${this.constructor.name}.setState`;
    const record = stateRecord(where, 'the state', state, ['wrapper', 'inner', 'own']);
    if (record.wrapper !== this.constructor.name || !canGiveState(this.inner)) {
      throw new CheckpointError(
        'ERR_CHECKPOINT_MISMATCH',
        `${where}: expected the state of a ${this.constructor.name} around an environment that can restore its ` +
          `state, but got one of ${describeValue(record.wrapper)}`,
      );
    }
    const restoreOwn = this.loadOwnState(record.own, where);
    this.inner.setState!(record.inner);
    restoreOwn();
  }

  /** This wrapper's own state, plain data: null (the default) when it keeps none, undefined when it cannot give it. */
  protected ownState(): unknown {
    return null;
  }

  /** Checks `own` from `ownState` (throwing CheckpointError) and returns what restores it. */
  protected loadOwnState(own: unknown, where: string): () => void {
    if (own !== null) corruptState(where, 'own', 'null (this wrapper keeps no state)', own);
    return () => undefined;
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
