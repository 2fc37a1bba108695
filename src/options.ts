// Validation of options objects, done once at construction: an invalid option throws an
// InvalidOptionError at once, naming the owner, the option, what was expected and what came.

import { InvalidOptionError, describeValue } from './errors.js';

/** Throws unless every key of `options` is in `allowed` (catches typos such as `lerningRate`). */
export function checkKeys(where: string, options: object | undefined, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError(`${where}: expected an options object, but got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new InvalidOptionError(
        `${where}: expected options among [${allowed.join(', ')}], but got unknown option "${key}"`,
      );
    }
  }
}

export interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  /** Exclusive lower bound. */
  readonly above?: number;
  readonly integer?: boolean;
}

/** Returns `value ?? fallback` after checking it is a finite number obeying `rule`. */
export function numberOption(
  where: string,
  name: string,
  value: unknown,
  fallback: number,
  rule: NumberRule = {},
): number {
  const v = value === undefined ? fallback : value;
  const wants = [
    rule.integer ? 'an integer' : 'a number',
    rule.min !== undefined ? `>= ${rule.min}` : '',
    rule.above !== undefined ? `> ${rule.above}` : '',
    rule.max !== undefined ? `<= ${rule.max}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (!rule.integer || Number.isInteger(v)) &&
    (rule.min === undefined || v >= rule.min) &&
    (rule.above === undefined || v > rule.above) &&
    (rule.max === undefined || v <= rule.max);
  if (!ok)
    throw new InvalidOptionError(`${where}: expected option "${name}" to be ${wants}, but got ${describeValue(v)}`);
  return v as number;
}

/** Returns `value ?? fallback` after checking it is one of `choices`. */
export function choiceOption<T extends string>(
  where: string,
  name: string,
  value: unknown,
  fallback: T,
  choices: readonly T[],
): T {
  const v = value === undefined ? fallback : value;
  if (typeof v !== 'string' || !choices.includes(v as T)) {
    const among = choices.map((c) => `"${c}"`).join(', ');
    throw new InvalidOptionError(
      `${where}: expected option "${name}" to be one of ${among}, but got ${describeValue(v)}`,
    );
  }
  return v as T;
}

/** Returns `value ?? fallback` after checking it is a boolean. */
export function booleanOption(where: string, name: string, value: unknown, fallback: boolean): boolean {
  const v = value === undefined ? fallback : value;
  if (typeof v !== 'boolean')
    throw new InvalidOptionError(`${where}: expected option "${name}" to be a boolean, but got ${describeValue(v)}`);
  return v;
}
