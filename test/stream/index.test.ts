// Specification of the stream folder's public surface: every piece is reachable from its index.

import { describe, expect, it } from 'vitest';
import * as stream from '../../src/stream/index.js';

describe('stream index', () => {
  it('re-exports the sources, operators and runners', () => {
    for (const name of [
      'environmentTransitions',
      'fromEnvironment',
      'immediateScheduler',
      'learn',
      'isInvalidData',
      'runAgent',
      'sampleMetrics',
      'snapshots',
      'LiveRun',
      'StepRate',
      'fromObservations',
      'boundedBuffer',
    ]) {
      expect(stream, name).toHaveProperty(name);
    }
  });
});
