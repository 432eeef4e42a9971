import { judgeOf, type MetricSpec, type RolloutSpec } from './rollout-spec.ts';

/**
 * The fields of a spec that may change while a rollout is in flight. Each one only changes how
 * the next checks and alerts are judged; none changes what was already measured, which step
 * comes next, or which destinations and route kanari writes to.
 * - `analysis.threshold`: failed checks before rollback (checks that failed already still count);
 * - `analysis.minSampleSize`;
 * - `analysis.progressDeadline`;
 * - `analysis.metrics[i].thresholdRange`, for a metric that stays as it was otherwise (and so
 *   keeps its judge: adding or removing thresholdRange can change the judge, which is unsafe);
 * - `analysis.onDeadline`: what the next deadline does;
 * - `analysis.scoreThresholds`: how the next Mann–Whitney group scores are read;
 * - `alerts`, all of it: matchers and bakeWindow, added or removed;
 * - `onDrift`: what the next drift does.
 *
 * Unsafe on purpose: a metric's `judge` and `analysis.alpha`. The compare judge's evidence
 * builds up from the rollout's start under the α it was given; a level chosen after seeing the
 * data is no longer the level the anytime-valid guarantee holds for, and its accumulated
 * state was made for that judge's configuration.
 */
export const SAFE_FIELDS: readonly string[] = [
  'analysis.threshold',
  'analysis.minSampleSize',
  'analysis.progressDeadline',
  'analysis.metrics[].thresholdRange',
  'analysis.onDeadline',
  'analysis.scoreThresholds',
  'alerts',
  'onDrift',
];

const SAFE_PATTERNS: readonly RegExp[] = [
  /^analysis\.(threshold|minSampleSize|progressDeadline|onDeadline)$/,
  /^analysis\.scoreThresholds(\..+)?$/,
  /^analysis\.metrics\[\d+\]\.thresholdRange(\..+)?$/,
  /^alerts([.[].*)?$/,
  /^onDrift$/,
];

/** Whether a changed field path (as diffSpecs names it) may change mid-flight. */
export const isSafeField = (path: string): boolean =>
  SAFE_PATTERNS.some((pattern) => pattern.test(path));

/** One changed field: its path and both values (`undefined` where absent). */
export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const changesOf = (before: unknown, after: unknown, path: string): FieldChange[] => {
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    return Array.from({ length }, (_, i) => changesOf(before[i], after[i], `${path}[${i}]`)).flat();
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => changesOf(before[key], after[key], path ? `${path}.${key}` : key));
  }
  return before === after ? [] : [{ path: path || '(root)', before, after }];
};

const judgeName = (metric: MetricSpec | undefined): string | undefined => {
  try {
    return metric && judgeOf(metric);
  } catch {
    return undefined;
  }
};

/**
 * A judge that changes without `judge` being written (thresholdRange added or removed flips
 * between threshold and compare) is still a judge change: it is named as one.
 */
const judgeChanges = (before: MetricSpec[], after: MetricSpec[]): FieldChange[] =>
  after.flatMap((metric, i) => {
    const was = before[i];
    if (!was || was.judge !== undefined || metric.judge !== undefined) return [];
    const [from, to] = [judgeName(was), judgeName(metric)];
    return from === to ? [] : [{ path: `analysis.metrics[${i}].judge`, before: from, after: to }];
  });

/** Absent and `undefined` are the same field: a spec read back from storage has no undefined. */
const plain = (spec: RolloutSpec): unknown => JSON.parse(JSON.stringify(spec));

export interface SpecChanges {
  /** Every changed field, in a stable order (keys sorted, array items by index). */
  changes: FieldChange[];
  /** Their paths, e.g. `analysis.metrics[0].thresholdRange.min`. */
  changed: string[];
  /** The changed paths that are not safe to change mid-flight (see SAFE_FIELDS). */
  unsafe: string[];
}

/** What differs between the stored spec and an applied one, and which of it is unsafe. */
export const diffSpecs = (before: RolloutSpec, after: RolloutSpec): SpecChanges => {
  const changes = [
    ...changesOf(plain(before), plain(after), ''),
    ...judgeChanges(before.analysis.metrics, after.analysis.metrics),
  ];
  const changed = changes.map((change) => change.path);
  return { changes, changed, unsafe: changed.filter((path) => !isSafeField(path)) };
};

const shown = (value: unknown): string =>
  value === undefined ? 'absent' : typeof value === 'object' ? 'set' : JSON.stringify(value);

/** `analysis.threshold 2 → 3`, `alerts absent → set`: for the ledger. */
export const describeChanges = (changes: readonly FieldChange[]): string =>
  changes
    .map((change) => `${change.path} ${shown(change.before)} → ${shown(change.after)}`)
    .join(', ');
