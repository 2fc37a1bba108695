// Specification of InjectedAnomalies-v0: channels of sines and noise, with spikes, level shifts,
// frequency changes and plateaus injected at random times and labelled on every step they last.

import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { INJECTED_ANOMALIES_DEFAULTS, InjectedAnomalies } from '../../environments/injected-anomalies.js';
import { InvalidOptionError } from '../../src/errors.js';
import { checkEnvironment } from '../../src/environment/check-environment.js';
import { rollout } from './rollout.js';

describe('InjectedAnomalies', () => {
  it('has the documented defaults and a box of its channels, passive', () => {
    expect(INJECTED_ANOMALIES_DEFAULTS).toEqual({ channels: 3, rate: 0.004, gap: 100, noise: 0.05, length: 20000 });
    const env = new InjectedAnomalies({ channels: 2 });
    expect(env.observationSpace).toEqual({ kind: 'box', shape: [2], low: -3, high: 3 });
    expect(env.actionSpace).toBeNull();
    expect(() => checkEnvironment(() => new InjectedAnomalies({ length: 300 }))).not.toThrow();
  });

  it('labels each kind of event on every step it lasts, with gaps between events', () => {
    const { observations, infos } = rollout(new InjectedAnomalies(), 1);
    expect(observations).toHaveLength(20000);
    const events: { kind: string; start: number; length: number }[] = [];
    infos.forEach((info, t) => {
      expect(info.t).toBe(t);
      expect(info.anomaly).toBe(info.kind !== null);
      const last = events[events.length - 1];
      if (info.kind !== null && (!last || last.start + last.length !== t || last.kind !== info.kind))
        events.push({ kind: info.kind as string, start: t, length: 1 });
      else if (info.kind !== null) last!.length++;
    });
    const kinds = new Set(events.map((e) => e.kind));
    expect([...kinds].sort()).toEqual(['frequency', 'level-shift', 'plateau', 'spike']);
    for (const e of events.filter((e) => e.kind === 'spike')) expect(e.length).toBe(1);
    for (const e of events.filter((e) => e.kind === 'plateau')) expect(e.length).toBeGreaterThanOrEqual(300);
    for (let i = 1; i < events.length; i++)
      expect(events[i]!.start - (events[i - 1]!.start + events[i - 1]!.length)).toBeGreaterThanOrEqual(100);
    const share = infos.filter((i) => i.anomaly).length / infos.length;
    expect(share).toBeGreaterThan(0.05);
    expect(share).toBeLessThan(0.4);
  });

  it('holds a plateau at the value the channel had, and moves otherwise', () => {
    const { observations, infos } = rollout(new InjectedAnomalies({ rate: 0.02 }), 2);
    const start = infos.findIndex((i) => i.kind === 'plateau');
    expect(start).toBeGreaterThan(0);
    const held = observations.slice(start, start + 300);
    const stuck = [0, 1, 2].filter((c) => held.every((o) => o[c] === held[0]![c]));
    expect(stuck).toHaveLength(1);
    expect(held[0]![stuck[0]!]).toBe(observations[start - 1]![stuck[0]!]);
  });

  it('gives the same stream for the same seed, and rejects bad options', () => {
    const a = rollout(new InjectedAnomalies({ length: 500 }), 3).observations;
    const b = rollout(new InjectedAnomalies({ length: 500 }), 3).observations;
    expect(b).toEqual(a);
    expect(() => new InjectedAnomalies({ channels: 9 })).toThrow(InvalidOptionError);
    expect(() => new InjectedAnomalies({ rate: -1 })).toThrow(InvalidOptionError);
  });
});
