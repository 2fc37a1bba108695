// The topology a viewer is told about: the run's own, with the explanations filled in, grown by
// every loss or metric that a frame carries for the first time (a metric may depend on what the
// environment provides, which the agent cannot know before the run starts).

import type { Frame, Topology } from '../src/agent/snapshot.js';

/** The topology as it travels: `about` is always present, empty when the agent gives none. */
export type WireTopology = Topology & { readonly about: NonNullable<Topology['about']> };

export class LiveTopology {
  private current: WireTopology;
  private readonly losses: Set<string>;
  private readonly metrics: Set<string>;

  constructor(topology: Topology) {
    this.current = { ...topology, about: topology.about ?? { losses: {}, metrics: {} } };
    this.losses = new Set(topology.losses);
    this.metrics = new Set(topology.metrics);
  }

  get topology(): WireTopology {
    return this.current;
  }

  /** Adds the names `frame` carries that are new; returns whether the topology grew. Cheap: a few lookups. */
  observe(frame: Frame): boolean {
    let grown = false;
    for (const name in frame.losses) {
      if (this.losses.has(name)) continue;
      this.losses.add(name);
      grown = true;
    }
    for (const name in frame.metrics) {
      if (this.metrics.has(name)) continue;
      this.metrics.add(name);
      grown = true;
    }
    if (grown) this.current = { ...this.current, losses: [...this.losses], metrics: [...this.metrics] };
    return grown;
  }
}
