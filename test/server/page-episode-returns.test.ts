// The acting panel's record of ended episodes (server/page/history.js, plain JavaScript run here in
// node): a point each time the count of ended episodes grows, at that frame's step, and none else.

import { describe, expect, it } from 'vitest';
// @ts-expect-error: the page is plain JavaScript without declarations.
import { CAPACITY, EpisodeReturns } from '../../server/page/history.js';

describe('the page EpisodeReturns', () => {
  describe('#record', () => {
    it('adds the last return when the episode count grows, and nothing while it stays', () => {
      const record = new EpisodeReturns();
      expect(record.record(10, 0, null)).toBe(false);
      expect(record.record(20, 0, null)).toBe(false);
      expect(record.record(30, 1, 4.5)).toBe(true);
      expect(record.record(40, 1, 4.5)).toBe(false);
      // Three episodes ended between two frames: only the last one's return is known.
      expect(record.record(50, 4, -2)).toBe(true);
      expect(record.history.steps).toEqual([30, 50]);
      expect(record.history.get('return')).toEqual([4.5, -2]);
    });

    it("takes a page opened late's first frame as an ended episode, when one has ended", () => {
      const record = new EpisodeReturns();
      expect(record.record(5000, 12, 7)).toBe(true);
      expect(record.history.get('return')).toEqual([7]);
    });

    it('skips a count without a return, and a return that is not a finite number', () => {
      const record = new EpisodeReturns();
      expect(record.record(10, 1, undefined)).toBe(false);
      expect(record.record(20, 2, Number.NaN)).toBe(false);
      expect(record.record(30, 3, 1)).toBe(true);
      expect(record.record(40, Number.NaN, 2)).toBe(false);
      expect(record.history.get('return')).toEqual([1]);
    });

    it('starts afresh when the count goes back (a new run or a restored one)', () => {
      const record = new EpisodeReturns();
      record.record(10, 5, 1);
      record.record(20, 6, 2);
      expect(record.record(3, 1, 9)).toBe(true);
      expect(record.history.steps).toEqual([3]);
      expect(record.history.get('return')).toEqual([9]);
    });

    it('stays bounded over many episodes: points merge into means as the History does', () => {
      const record = new EpisodeReturns();
      for (let e = 1; e <= 3 * CAPACITY; e++) record.record(e * 10, e, e % 2);
      expect(record.history.steps.length).toBeLessThanOrEqual(CAPACITY);
      for (const v of record.history.get('return').slice(0, -1)) expect(v).toBeCloseTo(0.5, 1);
    });
  });
});
