// The one metric a progress line shows, chosen per agent from what it reports, and the number
// formats the text output shares.

/**
 * Most telling first: what a sequence learner is judged by, then any accuracy, then any error.
 * `critical` leads because an environment marks the long-range step only where it is the task
 * (the embedded Reber grammar), and `legal` saturates long before it does.
 */
export const MAIN_METRIC_PREFERENCE = [
  'next/critical',
  'next/legal',
  'label/accuracy',
  'next/accuracy',
  'label/squaredError',
  'next/squaredError',
] as const;

/** The name of the metric to show among `metrics`, or null while there is none. */
export function mainMetric(metrics: Readonly<Record<string, number>>): string | null {
  const names = Object.keys(metrics);
  if (names.length === 0) return null;
  for (const name of MAIN_METRIC_PREFERENCE) if (name in metrics) return name;
  return (
    names.find((n) => n.endsWith('/accuracy')) ??
    names.find((n) => n.endsWith('/squaredError')) ??
    [...names].sort()[0]!
  );
}

/** A metric value: four significant digits, so 0.8613 and 1.161e-5 read alike. */
export function formatMetric(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  return magnitude >= 1e-3 && magnitude < 1e5
    ? value.toFixed(Math.max(0, 3 - Math.floor(Math.log10(magnitude))))
    : value.toExponential(3);
}

/** A rate or a count for people: 1234 → "1,234". */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60
    ? `${minutes} min ${Math.round(seconds % 60)} s`
    : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
