// The user's environment as the CLI runs it: a thin wrapper that forwards the whole contract
// (getState/setState too, for checkpoints) and turns what the user's code throws, or a Promise
// where a result belongs, into ERR_ENVIRONMENT naming the file and line (see user-code-error.ts).

import type { Environment, EnvironmentSpec, EnvironmentState, ResetResult, StepResult } from 'tprop';
import { EnvironmentError } from 'tprop';
import { type UserModule, UserCodeError, describeUserValue, userCodeError } from './user-code-error.js';

/** The last fault of the user's code, if the last call into it failed (shared by one module's environments). */
export interface FaultLog {
  last: UserCodeError | null;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  const v = value as { then?: unknown } | null;
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof v.then === 'function';
}

/** A Promise where a value belongs: its rejection is silenced (it is reported here, once) and the fault thrown. */
function refusePromise(what: string, expected: string, value: PromiseLike<unknown>, module: UserModule): never {
  value.then(undefined, () => undefined);
  throw new UserCodeError(
    `${module.path}: expected ${what} to return ${expected}, but got a Promise (an environment is synchronous: ` +
      `${what} must not be async)`,
    { location: null, threw: false },
  );
}

/** Calls the user's code `run` as `what`, recording its fault in `log`; TpropErrors keep their code. */
function callUser<T>(what: string, expected: string, run: () => T, module: UserModule, log: FaultLog): T {
  log.last = null;
  let result: T;
  try {
    result = run();
  } catch (thrown) {
    const error = userCodeError(what, thrown, module);
    if (error instanceof UserCodeError) log.last = error;
    throw error;
  }
  if (isThenable(result)) {
    try {
      refusePromise(what, expected, result, module);
    } catch (error) {
      log.last = error as UserCodeError;
      throw error;
    }
  }
  return result;
}

/** The user's environment `inner`, each call into it guarded; `inner` is exposed as a wrapper's is. */
export class UserEnvironment implements Environment {
  readonly inner: Environment;
  private readonly module: UserModule;
  private readonly log: FaultLog;
  /** Set once the user's code has thrown: a close() that fails after that is not what to report. */
  private failed = false;

  constructor(inner: Environment, module: UserModule, log: FaultLog) {
    this.inner = inner;
    this.module = module;
    this.log = log;
  }

  get observationSpace(): Environment['observationSpace'] {
    return this.inner.observationSpace;
  }

  get actionSpace(): Environment['actionSpace'] {
    return this.inner.actionSpace;
  }

  get spec(): EnvironmentSpec | undefined {
    return this.inner.spec;
  }

  set spec(spec: EnvironmentSpec | undefined) {
    this.inner.spec = spec;
  }

  reset(...args: Parameters<Environment['reset']>): ResetResult {
    return this.call('reset()', 'a result', () => this.inner.reset(...args));
  }

  step(...args: Parameters<Environment['step']>): StepResult {
    return this.call('step()', 'a result', () => this.inner.step(...args));
  }

  close(): void {
    if (typeof this.inner.close !== 'function') return;
    const failedBefore = this.failed;
    try {
      this.call('close()', 'nothing', () => this.inner.close!());
    } catch (error) {
      if (!failedBefore) throw error;
    }
  }

  // Both always here: canGiveState looks through `inner`, so they are used only when the user's are there.
  getState(): EnvironmentState | undefined {
    if (typeof this.inner.getState !== 'function') return undefined;
    return this.call('getState()', 'a state', () => this.inner.getState!());
  }

  setState(state: EnvironmentState): void {
    if (typeof this.inner.setState !== 'function') {
      throw new EnvironmentError(`${this.module.path}: expected the environment to have setState(), but it has none`);
    }
    this.call('setState()', 'nothing', () => this.inner.setState!(state));
  }

  private call<T>(what: string, expected: string, run: () => T): T {
    try {
      return callUser(what, expected, run, this.module, this.log);
    } catch (error) {
      this.failed = true;
      throw error;
    }
  }
}

function isEnvironment(value: unknown): value is Environment {
  const v = value as Partial<Environment> | null;
  return typeof v === 'object' && v !== null && typeof v.reset === 'function' && typeof v.step === 'function';
}

/** `make` (the module's factory) guarded: what it throws or returns instead of an environment is ERR_ENVIRONMENT. */
export function userFactory(
  make: (options: Record<string, unknown>) => unknown,
  module: UserModule,
  log: FaultLog,
): (options: Record<string, unknown>) => UserEnvironment {
  return (options) => {
    const made = callUser('the factory', 'an environment', () => make(options), module, log);
    if (!isEnvironment(made)) {
      log.last = new UserCodeError(
        `${module.path}: expected the factory to return an environment with reset() and step(), but got ` +
          describeUserValue(made),
        { location: null, threw: false },
      );
      throw log.last;
    }
    return new UserEnvironment(made, module, log);
  };
}
