// Scores of a detector against labels, over a whole run: the area under the ROC curve (the chance
// that a random positive scores above a random negative, ties counting half) and average precision
// (the mean, over the positives, of the precision among the steps scoring at least as high;
// scikit-learn's average_precision_score, ties taken together).

import { InvalidOptionError } from '../errors.js';

function check(where: string, scores: ArrayLike<number>, labels: ArrayLike<boolean>): number[] {
  if (scores.length !== labels.length)
    throw new InvalidOptionError(
      `${where}: expected one label per score, but got ${scores.length} scores and ${labels.length} labels`,
    );
  const order = Array.from({ length: scores.length }, (_, i) => i);
  for (const i of order)
    if (!Number.isFinite(scores[i]!))
      throw new InvalidOptionError(`${where}: expected finite scores, but score ${i} is ${scores[i]}`);
  // Highest score first.
  return order.sort((a, b) => scores[b]! - scores[a]!);
}

/** ROC AUC of `scores` (higher: more anomalous) against `labels`; NaN without both classes. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<boolean>): number {
  const order = check('rocAuc', scores, labels);
  let positives = 0;
  for (const i of order) if (labels[i]) positives++;
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  // Mann–Whitney: for each group of tied scores, count the negatives ranked below its positives.
  let wins = 0;
  let negativesBelow = negatives;
  for (let start = 0; start < order.length; ) {
    let end = start;
    let p = 0;
    let n = 0;
    while (end < order.length && scores[order[end]!] === scores[order[start]!]) {
      if (labels[order[end]!]) p++;
      else n++;
      end++;
    }
    negativesBelow -= n;
    wins += p * (negativesBelow + n / 2);
    start = end;
  }
  return wins / (positives * negatives);
}

/** Average precision of `scores` against `labels`; NaN without positives. */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<boolean>): number {
  const order = check('averagePrecision', scores, labels);
  let positives = 0;
  for (const i of order) if (labels[i]) positives++;
  if (positives === 0) return Number.NaN;
  let sum = 0;
  let hits = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    let p = 0;
    while (end < order.length && scores[order[end]!] === scores[order[start]!]) {
      if (labels[order[end]!]) p++;
      end++;
    }
    hits += p;
    // Each positive of the group is credited the precision at the group's end (its recall step).
    sum += p * (hits / end);
    start = end;
  }
  return sum / positives;
}
