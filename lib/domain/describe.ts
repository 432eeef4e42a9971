import type { CompareTestEvidence } from './analysis-state.ts';
import { describeDrift, overDrift } from './drift.ts';
import type { Cause } from './events.ts';
import {
  isWaitingForTraffic,
  type MannWhitneyEvidence,
  type MetricResult,
  round,
} from './judge.ts';
import type { LedgerEntry } from './state.ts';

const LABELS: Record<string, { label: string; unit: string }> = {
  'request-success-rate': { label: 'success rate', unit: '%' },
  'request-duration': { label: 'p99', unit: ' ms' },
};

/** Two significant digits; whole numbers from 100 on, with thousands separators. */
const num = (x: number): string =>
  Math.abs(x) >= 100 && Math.abs(x) < 1e7
    ? Math.round(x).toLocaleString('en-US')
    : Math.abs(x) >= 1e7
      ? x.toExponential(1)
      : String(Number(x.toPrecision(2)));

const level = (alpha: number): string => `${Number(((1 - alpha) * 100).toPrecision(4))}%`;

const ci = (e: CompareTestEvidence): string =>
  `${level(e.alpha)} CI ${e.rhoLow === null ? '0' : num(e.rhoLow)}–${e.rhoHigh === null ? '∞' : num(e.rhoHigh)}`;

const ratio = (e: CompareTestEvidence): string =>
  e.rateRatio === null
    ? `canary ${e.label} ${e.canary.bad}/${e.canary.requests} vs primary ${e.primary.bad}/${e.primary.requests}`
    : `canary ${e.label} ${num(e.rateRatio)}× primary`;

/**
 * One compare test in plain language, e.g. `request-success-rate: canary errors 2.1× primary
 * (99.5% CI 1.6–2.8), e-value 310 ≥ 200 → roll back`.
 */
export const describeCompareTest = (name: string, e: CompareTestEvidence): string => {
  const head = `${name}${e.boundMs === undefined ? '' : ` (> ${e.boundMs} ms)`}: `;
  if (e.verdict === 'regression')
    return `${head}${ratio(e)} (${ci(e)}), e-value ${num(e.eValue)} ≥ ${num(e.threshold)} → roll back`;
  if (e.verdict === 'non-inferior')
    return `${head}${ratio(e)} (${ci(e)}, below ${num(e.tolerance)}) over ${e.canary.requests.toLocaleString('en-US')} canary requests → non-inferior`;
  if (e.waitingForTraffic) return `${head}waiting for traffic`;
  const needed =
    e.requestsNeeded === null
      ? ''
      : `; about ${e.requestsNeeded.toLocaleString('en-US')} more canary requests${
          e.minutesNeeded === null ? '' : ` (≈ ${Math.max(1, Math.round(e.minutesNeeded))} min)`
        }`;
  return `${head}${ratio(e)}, e-value ${num(e.eValue)} < ${num(e.threshold)} → inconclusive${needed}`;
};

/** A mann-whitney metric: `cpu: High, canary mean 0.9 vs primary 0.5, …, score 0 (pass ≥ 95, marginal ≥ 75)`. */
export const describeMannWhitney = (name: string, e: MannWhitneyEvidence): string => {
  const means =
    e.canaryMean === undefined || e.baselineMean === undefined
      ? ''
      : `, canary mean ${num(e.canaryMean)} vs primary ${num(e.baselineMean)}`;
  const shift =
    e.estimate === undefined
      ? ''
      : `, shift ${num(e.estimate)}${e.ciLow === undefined || e.ciHigh === undefined ? '' : ` (CI ${num(e.ciLow)}–${num(e.ciHigh)})`}`;
  const critical = e.criticalFailure ? ', a critical metric failed' : '';
  return `${name}: ${e.classification}${means}${shift}, score ${num(e.score)} (pass ≥ ${e.thresholds.pass}, marginal ≥ ${e.thresholds.marginal})${critical}`;
};

/** `success rate 99.2% ≥ 99%`, `p99 312 ms ≤ 500 ms`, `error-budget: no data`. */
export const describeMetric = (metric: MetricResult): string => {
  const { evidence } = metric;
  if (evidence?.judge === 'compare' && evidence.tests.length > 0)
    return evidence.tests.map((test) => describeCompareTest(metric.name, test)).join(' · ');
  if (evidence?.judge === 'mann-whitney') return describeMannWhitney(metric.name, evidence);
  if (metric.judge === 'compare' || metric.judge === 'mann-whitney')
    return `${metric.name}: ${metric.reason}`;
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
      const line = `Applied: primary ${weights?.primary}% · canary ${weights?.canary}% → ${entry.phase}`;
      return entry.drift ? `${line} (${overDrift(entry.drift)})` : line;
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
    case 'resent':
      return entry.message;
    case 'drift':
      return entry.drift ? describeDrift(entry.drift) : entry.message;
    case 'update':
      // The cause's reason is apply's own ("rollout created"); the fields say what happened.
      return `${entry.message} by ${entry.cause.type === 'operator' ? entry.cause.actor : `the ${entry.cause.type}`}`;
  }
};
