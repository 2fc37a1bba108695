// Specification of the environment registry: versioned ids, defaults merged under options,
// unknown ids and options rejected with typed errors, and the built-ins registered on import.

import { describe, expect, it } from 'vitest';
import {
  hasEnvironment,
  listEnvironments,
  makeEnvironment,
  registerEnvironment,
} from '../../src/environment/environment-registry.js';
import type { Environment } from '../../src/environment/environment.js';
import { InvalidOptionError, UnknownIdError } from '../../src/errors.js';
import { discrete } from '../../src/environment/space.js';
import { BUILTIN_ENVIRONMENT_IDS, type PeriodicSequence, TemporalOrder } from '../../environments/index.js';
import { thrown } from '../helpers/thrown.js';

/** A do-nothing environment that remembers the options it was built with. */
function stub(options: Record<string, unknown> = {}): Environment & { options: Record<string, unknown> } {
  return {
    observationSpace: discrete(2),
    actionSpace: null,
    options,
    reset: () => ({ observation: 0, info: {} }),
    step: () => ({ observation: 0, reward: 0, terminated: true, truncated: false, info: {} }),
  };
}

describe('environment registry', () => {
  describe('registerEnvironment', () => {
    it('registers a factory under a Name-vN id', () => {
      registerEnvironment('Stub-v0', stub, { description: 'a stub', defaults: { size: 3 } });
      expect(hasEnvironment('Stub-v0')).toBe(true);
      expect(hasEnvironment('Stub-v1')).toBe(false);
    });

    it('accepts names with digits, underscores and inner dashes', () => {
      for (const id of ['My_Env2-v0', 'Grid-World-v12', 'A-v3']) {
        registerEnvironment(id, stub);
        expect(hasEnvironment(id)).toBe(true);
      }
    });

    it.each(['Stub', 'Stub-v', 'Stub-v01', 'Stub-V0', '-v0', 'Stub v0', '2Stub-v0', 'Stub--v0', ''])(
      'throws InvalidOptionError on the malformed id %j',
      (id) => {
        const error = thrown(() => registerEnvironment(id, stub));
        expect(error).toBeInstanceOf(InvalidOptionError);
        expect((error as InvalidOptionError).code).toBe('ERR_INVALID_OPTION');
        expect((error as Error).message).toMatch(/^registerEnvironment: expected an id of the form "Name-vN", but got/);
      },
    );

    it('throws InvalidOptionError when the id is already registered', () => {
      registerEnvironment('Twice-v0', stub);
      const error = thrown(() => registerEnvironment('Twice-v0', stub));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toBe(
        'registerEnvironment: expected an id not yet registered, but got "Twice-v0" a second time',
      );
    });

    it('throws InvalidOptionError on a non-function factory or an unknown registration key', () => {
      expect(() => registerEnvironment('NoFactory-v0', 42 as never)).toThrow(InvalidOptionError);
      expect(() => registerEnvironment('BadKey-v0', stub, { descripton: 'typo' } as never)).toThrow(
        /unknown option "descripton"/,
      );
      expect(() => registerEnvironment('BadDefaults-v0', stub, { defaults: [1] as never })).toThrow(
        /option "defaults"/,
      );
    });
  });

  describe('makeEnvironment', () => {
    registerEnvironment('Merge-v0', stub, { description: 'merging', defaults: { size: 3, pattern: [1, 2] } });

    it('passes the defaults when no options are given and records the spec', () => {
      const env = makeEnvironment('Merge-v0') as ReturnType<typeof stub>;
      expect(env.options).toEqual({ size: 3, pattern: [1, 2] });
      expect(env.spec).toEqual({ id: 'Merge-v0', description: 'merging', options: { size: 3, pattern: [1, 2] } });
    });

    it('merges options over the defaults; an undefined value keeps the default', () => {
      const env = makeEnvironment('Merge-v0', { pattern: [4], size: undefined }) as ReturnType<typeof stub>;
      expect(env.options).toEqual({ size: 3, pattern: [4] });
      expect(env.spec!.options).toEqual({ size: 3, pattern: [4] });
    });

    it('freezes the recorded options, so later edits by the caller do not reach the spec', () => {
      const pattern = [7, 8];
      const env = makeEnvironment('Merge-v0', { pattern });
      pattern.push(9);
      expect(env.spec!.options.pattern).toEqual([7, 8]);
      expect(Object.isFrozen(env.spec!.options)).toBe(true);
    });

    it('throws InvalidOptionError naming an unknown option key', () => {
      const error = thrown(() => makeEnvironment('Merge-v0', { sise: 4 }));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).code).toBe('ERR_INVALID_OPTION');
      expect((error as Error).message).toBe(
        'makeEnvironment: expected options of "Merge-v0" among [size, pattern], but got unknown option "sise"',
      );
    });

    it('does not take inherited names such as "toString" for options', () => {
      expect(() => makeEnvironment('Merge-v0', { toString: 1 })).toThrow(InvalidOptionError);
    });

    it('throws UnknownIdError listing the known ids, and other versions of the same name', () => {
      const error = thrown(() => makeEnvironment('Merge-v7'));
      expect(error).toBeInstanceOf(UnknownIdError);
      expect((error as UnknownIdError).code).toBe('ERR_UNKNOWN_ID');
      const message = (error as Error).message;
      expect(message).toMatch(
        /^makeEnvironment: expected a registered id \(one of .*\), but got "Merge-v7" \(other versions: Merge-v0\)$/,
      );
      for (const id of BUILTIN_ENVIRONMENT_IDS) expect(message).toContain(id);
    });

    it('lets the environment reject an invalid option value with InvalidOptionError', () => {
      const error = thrown(() => makeEnvironment('TemporalOrder-v0', { length: 2 }));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toBe('TemporalOrder: expected option "length" to be an integer >= 4, but got 2');
    });
  });

  describe('listEnvironments', () => {
    it('lists every id with its description and defaults, sorted by id', () => {
      const listing = listEnvironments();
      const ids = listing.map((entry) => entry.id);
      expect(ids).toEqual([...ids].sort());
      expect(listing.find((entry) => entry.id === 'Merge-v0')).toEqual({
        id: 'Merge-v0',
        description: 'merging',
        defaults: { size: 3, pattern: [1, 2] },
      });
    });
  });

  describe('built-in environments', () => {
    it('are all registered by importing environments/index.ts', () => {
      expect(BUILTIN_ENVIRONMENT_IDS).toEqual([
        'Adding-v0',
        'CartPole-v1',
        'ChannelDropout-v0',
        'EmbeddedReber-v0',
        'InjectedAnomalies-v0',
        'KeyDoor-v0',
        'MnistBandit-v0',
        'MobyDick-v0',
        'Periodic-v0',
        'PermutationRecall-v0',
        'Reber-v0',
        'RegimeSwitch-v0',
        'SineMixture-v0',
        'TemporalOrder-v0',
        'TenArmedTestbed-v0',
      ]);
      for (const id of BUILTIN_ENVIRONMENT_IDS) expect(hasEnvironment(id)).toBe(true);
      for (const entry of listEnvironments().filter((e) => BUILTIN_ENVIRONMENT_IDS.includes(e.id))) {
        expect(entry.description.length).toBeGreaterThan(10);
      }
    });

    it('are registered once even when the module is evaluated a second time', async () => {
      // A query makes a second instance of the module that shares the same registry.
      const again = '../../environments/index.js?again';
      const second = (await import(/* @vite-ignore */ again)) as { BUILTIN_ENVIRONMENT_IDS: readonly string[] };
      expect(second.BUILTIN_ENVIRONMENT_IDS).not.toBe(BUILTIN_ENVIRONMENT_IDS);
      expect(second.BUILTIN_ENVIRONMENT_IDS).toEqual(BUILTIN_ENVIRONMENT_IDS);
      expect(listEnvironments().filter((e) => e.id === 'Reber-v0')).toHaveLength(1);
    });

    it('build instances of their classes with the spec set', () => {
      const env = makeEnvironment('TemporalOrder-v0', { length: 20 });
      expect(env).toBeInstanceOf(TemporalOrder);
      expect(env.spec).toEqual({
        id: 'TemporalOrder-v0',
        description: listEnvironments().find((e) => e.id === 'TemporalOrder-v0')!.description,
        options: { length: 20, bits: 1 },
      });
      expect((makeEnvironment('Periodic-v0', { pattern: [0, 1] }) as PeriodicSequence).pattern).toEqual([0, 1]);
    });
  });
});
