// Scores of one prediction against the value that then arrived, by modality kind: the basis of
// prequential (predict, then learn) evaluation. Categorical: accuracy of the most likely class,
// log-loss, and, where the source says which symbols were legal next, whether it was legal.
// Continuous: squared error summed over the vector's entries.

/** Index of the largest entry. */
export function argMax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

export interface CategoricalScore {
  readonly accuracy: number;
  readonly logLoss: number;
  /** 1 if the most likely class is in `legal`; absent without a `legal` set. */
  readonly legal?: number;
}

export function scoreCategorical(
  probabilities: ArrayLike<number>,
  actual: number,
  legal?: readonly number[],
): CategoricalScore {
  const guess = argMax(probabilities);
  const score = { accuracy: guess === actual ? 1 : 0, logLoss: -Math.log(Math.max(probabilities[actual]!, 1e-7)) };
  return legal ? { ...score, legal: legal.includes(guess) ? 1 : 0 } : score;
}

export function squaredError(prediction: ArrayLike<number>, actual: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += (prediction[i]! - actual[i]!) ** 2;
  return s;
}
