import type { Cause } from './events.ts';
import { isWaitingForTraffic, type MetricResult, round } from './judge.ts';
import type { LedgerEntry } from './state.ts';

const LABELS: Record<string, { label: string; unit: string }> = {
  'request-success-rate': { label: 'success rate', unit: '%' },
  'request-duration': { label: 'p99', unit: ' ms' },
};

/** `success rate 99.2% ≥ 99%`, `p99 312 ms ≤ 500 ms`, `error-budget: no data`. */
export const describeMetric = (metric: MetricResult): string => {
  const { label, unit } = LABELS[metric.name] ?? { label: metric.name, unit: '' };
  if (metric.value === null || !Number.isFinite(metric.value)) return `${label}: ${metric.reason}`;
  const value = `${round(metric.value)}${unit}`;
  const { min, max } = metric.thresholdRange ?? {};
  const bounds: string[] = [];
  if (min !== undefined) bounds.push(metric.value >= min ? `≥ ${min}${unit}` : `< ${min}${unit}`);
  if (max !== undefined) bounds.push(metric.value <= max ? `≤ ${max}${unit}` : `> ${max}${unit}`);
  const sample = metric.verdict === 'inconclusive' ? ` (${metric.reason})` : '';
  return `${label} ${value} ${bounds.join(', ')}${sample}`.trim();
};

export const describeCause = (cause: Cause): string => {
  switch (cause.type) {
    case 'scheduler':
      return 'scheduler';
    case 'analysis':
      return 'analysis';
    case 'alert':
      return `alert ${cause.name} (${cause.source})`;
    case 'operator':
      return `${cause.actor}: "${cause.reason}"`;
  }
};

const ACTION_LABEL: Record<string, string> = {
  rollback: 'Rollback',
  abort: 'Abort',
  pause: 'Pause',
  resume: 'Resume',
  step: 'Promotion',
  promote: 'Full promotion',
  finalize: 'Finalize',
};

/** `by alice ("bad p99")`, `by alert HighErrorRate (alertmanager)`, `by the analysis`. */
const byWhom = (cause: Cause): string =>
  cause.type === 'operator'
    ? `by ${cause.actor} ("${cause.reason}")`
    : cause.type === 'alert'
      ? `by alert ${cause.name} (${cause.source})`
      : `by the ${cause.type}`;

/** Where a check ran: `Step 2 at 20%` when the weight is on the plan, else `Check at 20%`. */
const where = (weight: number, plan: readonly number[] | undefined): string => {
  const index = plan?.indexOf(weight) ?? -1;
  return index >= 0 ? `Step ${index + 1} at ${weight}%` : `Check at ${weight}%`;
};

export interface DescribeOptions {
  /** The rollout's weight plan (see weightPlan), so that checks are named by their step. */
  plan?: readonly number[];
}

/**
 * One ledger entry in plain language, e.g.
 * `Step 2 at 20%: success rate 99.8% ≥ 99% · p99 312 ms ≤ 500 ms → promote to 30%`.
 */
export const describeEntry = (entry: LedgerEntry, options: DescribeOptions = {}): string => {
  const decision = entry.decision;
  const outcome = !decision
    ? ''
    : decision.action === 'hold'
      ? 'hold'
      : decision.action === 'step' || decision.action === 'promote'
        ? `promote to ${decision.targetWeight}%`
        : decision.action === 'rollback' || decision.action === 'abort'
          ? `${decision.action === 'abort' ? 'abort' : 'roll back'} to 0%`
          : decision.action === 'finalize'
            ? 'all traffic to the primary'
            : decision.action;
  switch (entry.kind) {
    case 'check': {
      const check = entry.check;
      if (!check) return entry.message;
      const measured = check.metrics.map(describeMetric).join(' · ') || 'no metrics';
      const verdict = check.verdict === 'pass' ? '' : `${check.verdict}, `;
      const said =
        decision?.action === 'pause'
          ? 'paused at the progress deadline (resume, promote or roll back)'
          : outcome === 'hold' && isWaitingForTraffic(check)
            ? 'hold, waiting for traffic (not counted toward the deadline)'
            : outcome;
      return `${where(check.weight, options.plan)}: ${measured} → ${verdict}${said}`;
    }
    case 'applied': {
      if (decision?.action === 'finalize') return entry.message;
      const weights = entry.applied?.weights;
      return `Applied: primary ${weights?.primary}% · canary ${weights?.canary}% → ${entry.phase}`;
    }
    case 'start':
      return `Started ${byWhom(entry.cause)} → first step at ${decision?.targetWeight ?? 0}%`;
    case 'action': {
      const action = decision?.action ?? '';
      const label = ACTION_LABEL[action] ?? action;
      const at = decision ? ` at ${decision.fromWeight}%` : '';
      if (action === 'pause' || action === 'resume')
        return `${action === 'pause' ? 'Paused' : 'Resumed'}${at} ${byWhom(entry.cause)}`;
      return `${label} requested${at} ${byWhom(entry.cause)} → ${outcome}`;
    }
    case 'failed':
      return entry.message;
    case 'update':
      // The cause's reason is apply's own ("rollout created"); the fields say what happened.
      return `${entry.message} by ${entry.cause.type === 'operator' ? entry.cause.actor : `the ${entry.cause.type}`}`;
  }
};
