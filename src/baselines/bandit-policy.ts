// What a bandit baseline is to the acting bench: an action from its estimates, an update from
// the reward the action got, and a fresh start for a new run. Plain numbers; seeded draws.

import { InvalidOptionError, NonFiniteError } from '../errors.js';

export interface BanditPolicy {
  readonly arms: number;
  /** The arm to pull now. */
  act(): number;
  /** Learns that pulling `action` paid `reward`. */
  update(action: number, reward: number): void;
  /** Forgets every estimate (a new run of the testbed). */
  reset(): void;
}

/** Checks an update's action and reward before anything changes. */
export function checkUpdate(where: string, arms: number, action: number, reward: number): void {
  if (!Number.isInteger(action) || action < 0 || action >= arms)
    throw new InvalidOptionError(`${where}: expected an action in [0, ${arms}), but got ${action}`);
  if (!Number.isFinite(reward)) throw new NonFiniteError(`${where}: expected a finite reward, but got ${reward}`);
}
