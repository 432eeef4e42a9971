import type { CheckResult, MetricResult } from '../../lib/domain/judge.ts';
import type { LedgerEntry, RolloutState } from '../../lib/domain/state.ts';

/** A ledger entry as the API returns it: with its line in plain language. */
export type DescribedEntry = LedgerEntry & { description?: string };

/** What the console's view of one entry is: a tone for colour, and a marker that says it in words. */
export interface EntryMarker {
  tone: 'fail' | 'hold' | 'rollback' | 'drift' | 'nodata' | 'ok' | 'info';
  /** An icon and a word: never colour alone. */
  label: string;
}

const hasNoData = (check: CheckResult): boolean =>
  check.verdict === 'inconclusive' &&
  check.metrics.some((m) => m.value === null || m.waitingForTraffic === true);

export const markerOf = (entry: LedgerEntry): EntryMarker => {
  if (entry.kind === 'drift' || entry.drift) return { tone: 'drift', label: '⚠ Drift' };
  if (entry.kind === 'failed') return { tone: 'fail', label: '✖ Failed' };
  if (entry.kind === 'resent') return { tone: 'info', label: '↻ Re-published' };
  if (entry.kind === 'check' && entry.check) {
    if (entry.check.verdict === 'fail') return { tone: 'fail', label: '✖ Failed check' };
    if (entry.check.verdict === 'inconclusive' && entry.check.metrics.some((m) => m.sourceDown))
      return { tone: 'hold', label: '⚡ Source down · hold' };
    if (entry.decision?.action === 'hold' || entry.check.verdict === 'inconclusive')
      return hasNoData(entry.check)
        ? { tone: 'nodata', label: '∅ No data · hold' }
        : { tone: 'hold', label: '⏸ Hold' };
    return { tone: 'ok', label: '✔ Passed' };
  }
  const action = entry.decision?.action;
  if (action === 'rollback' || action === 'abort' || entry.phase === 'RolledBack')
    return { tone: 'rollback', label: action === 'abort' ? '↩ Abort' : '↩ Rollback' };
  if (action === 'hold' || action === 'pause') return { tone: 'hold', label: '⏸ Hold' };
  return { tone: 'info', label: '•' };
};

/** The requests behind a check: canary and primary, from its counts where the judge kept them. */
export const requestsOf = (check: CheckResult): { canary: number; primary: number } | undefined => {
  let canary: number | undefined;
  let primary: number | undefined;
  const most = (a: number | undefined, b: number | null | undefined) =>
    typeof b === 'number' && Number.isFinite(b) ? Math.max(a ?? 0, b) : a;
  for (const metric of check.metrics) {
    canary = most(canary, metric.sampleSize);
    primary = most(primary, metric.primarySampleSize);
    if (metric.evidence?.judge === 'compare') {
      for (const test of metric.evidence.tests) {
        canary = most(canary, test.canary.requests);
        primary = most(primary, test.primary.requests);
      }
    }
  }
  return canary === undefined && primary === undefined
    ? undefined
    : { canary: canary ?? 0, primary: primary ?? 0 };
};

export interface StepView {
  index: number;
  weight: number;
  state: 'done' | 'current' | 'upcoming';
  checks: number;
  passed: number;
  failed: number;
  /** Requests behind each check at this step, oldest first (undefined when unknown). */
  requests: ({ canary: number; primary: number } | undefined)[];
}

/**
 * The weight plan as steps, with the checks that ran at each (matched by their weight) in the
 * rollout's current revision, and which step is current.
 */
export const stepViews = (
  rollout: Pick<RolloutState, 'stepIndex' | 'phase'>,
  plan: readonly number[],
  entries: readonly LedgerEntry[],
): StepView[] => {
  const checks = entries.filter(
    (e): e is LedgerEntry & { check: CheckResult } => e.kind === 'check' && !!e.check,
  );
  const ended = ['RolledBack', 'Aborted', 'Failed'].includes(rollout.phase);
  return [...plan, 100].map((weight, index) => {
    const at = checks.filter((e) => e.check.weight === weight);
    return {
      index,
      weight,
      state:
        index < rollout.stepIndex || (index === rollout.stepIndex && ended)
          ? 'done'
          : index === rollout.stepIndex
            ? 'current'
            : 'upcoming',
      checks: at.length,
      passed: at.filter((e) => e.check.verdict === 'pass').length,
      failed: at.filter((e) => e.check.verdict === 'fail').length,
      requests: at.map((e) => requestsOf(e.check)),
    };
  });
};

/** The canary weight over time: one point per applied weight, from the start to `until`. */
export const weightTimeline = (
  rollout: Pick<RolloutState, 'createdAt' | 'canaryWeight'>,
  entries: readonly LedgerEntry[],
  until: number,
): { t: number[]; weight: number[] } => {
  const t: number[] = [Date.parse(rollout.createdAt) / 1000];
  const weight: number[] = [0];
  for (const entry of entries) {
    if (entry.kind !== 'applied' || !entry.applied) continue;
    t.push(Date.parse(entry.at) / 1000);
    weight.push(entry.applied.weights.canary);
  }
  t.push(Math.max(until / 1000, t.at(-1) ?? 0));
  weight.push(weight.at(-1) ?? rollout.canaryWeight);
  return { t, weight };
};

export interface MetricPoint {
  t: number;
  canary: number | null;
  primary: number | null;
  verdict: MetricResult['verdict'];
  noData: boolean;
  weight: number;
}

/** One metric across the checks, with its time and verdict, and the bounds of its threshold. */
export const metricSeries = (
  entries: readonly LedgerEntry[],
  name: string,
): { points: MetricPoint[]; min?: number; max?: number; compare: boolean } => {
  const points: MetricPoint[] = [];
  let range: { min?: number; max?: number } = {};
  let compare = false;
  for (const entry of entries) {
    const metric =
      entry.kind === 'check' ? entry.check?.metrics.find((m) => m.name === name) : undefined;
    if (!metric || !entry.check) continue;
    const usable = (v: number | null | undefined) =>
      typeof v === 'number' && Number.isFinite(v) ? v : null;
    if (metric.thresholdRange) range = metric.thresholdRange;
    if (metric.judge === 'compare') compare = true;
    const canary = usable(metric.value);
    points.push({
      t: Date.parse(entry.at) / 1000,
      canary,
      primary: usable(metric.primaryValue),
      verdict: metric.verdict,
      noData: canary === null || metric.waitingForTraffic === true,
      weight: entry.check.weight,
    });
  }
  return {
    points,
    ...(range.min !== undefined ? { min: range.min } : {}),
    ...(range.max !== undefined ? { max: range.max } : {}),
    compare,
  };
};

/** The metric names that appear in the checks, in first-seen order. */
export const metricNames = (entries: readonly LedgerEntry[]): string[] => {
  const names: string[] = [];
  for (const entry of entries)
    for (const metric of entry.check?.metrics ?? [])
      if (!names.includes(metric.name)) names.push(metric.name);
  return names;
};
